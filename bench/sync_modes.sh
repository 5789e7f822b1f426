#!/bin/sh
# bench/sync_modes.sh - a chain of SEQ sequential activities (scale_sequence
# of tests/20-abi/scale_app.so) under each storageProvider.synchronous mode,
# one after the other in the same run, each on a fresh task hub: what the
# fsync policy costs a chain (not a test; run after `make all tests`).
# Times are the instance's created_us -> updated_us in the hub. Loopback
# only; each run gives up after LIMIT seconds.
set -eu
cd "$(dirname "$0")/.."
TOP=$(pwd)
SEQ=${SEQ:-10000}
LIMIT=${LIMIT:-300}
PORT=${PORT:-7098}
B=${B:-$TOP/build}
MODES=${MODES:-FULL ACKNOWLEDGED NORMAL}
root=$(mktemp -d /tmp/cfunc-bench-sync.XXXXXX)
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$root"
}
trap cleanup EXIT
URL="http://127.0.0.1:$PORT"

echo "machine: $(nproc) cores, $(uname -sr); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "command: SEQ=$SEQ MODES=\"$MODES\" sh bench/sync_modes.sh"
for mode in $MODES; do
	rm -rf "$root/.cfunc"
	cat >"$root/host.json" <<JSON
{ "version": "2.0", "logging": { "logLevel": { "default": "Warning" } },
  "extensions": { "durableTask": { "storageProvider": { "synchronous": "$mode" } } },
  "cfunc": { "apps": ["$B/tests/20-abi/scale_app.so"] } }
JSON
	(cd "$root" && exec "$B/cfunc" start --port "$PORT") >"$root/host.log" 2>&1 &
	pid=$!
	i=0
	until curl -s -o /dev/null "$URL/admin/host/ping" || [ $i -ge 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	id=$(curl -s -X POST -H 'Content-Type: application/json' -d "{\"count\":$SEQ}" \
		"$URL/runtime/webhooks/durabletask/orchestrators/scale_sequence" | jq -r .id)
	until=$(($(date +%s) + LIMIT))
	st=""
	while [ "$st" != Completed ] && [ "$(date +%s)" -lt "$until" ]; do
		sleep 0.1
		st=$(curl -s "$URL/runtime/webhooks/durabletask/instances/$id" | jq -r .runtimeStatus)
	done
	kill "$pid"
	wait "$pid" || true
	pid=""
	if [ "$st" != Completed ]; then
		echo "$mode: $SEQ steps not Completed after ${LIMIT}s"
		continue
	fi
	ms=$(sqlite3 "$root/.cfunc/TestHubName.db" "select (updated_us - created_us) / 1000 from instances where instance_id = '$id'")
	echo "$mode: $SEQ sequential activities in $ms ms"
done
