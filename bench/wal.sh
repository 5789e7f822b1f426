#!/bin/sh
# bench/wal.sh - the task hub's WAL under sustained load (not a test).
# One host on 127.0.0.1; CLIENTS loops start fan-outs of COUNT activities
# back to back while LISTERS loops page through the instance listing without
# pause (readers that always hold some snapshot); the size of <hub>-wal is
# sampled every 50 ms for DURATION seconds. Prints the largest size seen and
# how many orchestrations completed. Everything stops by itself.
#   CFUNC=build/cfunc DURATION=30 sh bench/wal.sh
set -eu
cd "$(dirname "$0")/.."
TOP=$(pwd)
CFUNC=${CFUNC:-$TOP/build/cfunc}
B=${CFUNC_BUILD:-$TOP/build}
DURATION=${DURATION:-30}
CLIENTS=${CLIENTS:-8}
LISTERS=${LISTERS:-2}
COUNT=${COUNT:-200}
root=$(mktemp -d /tmp/cfunc-bench-wal.XXXXXX)
pid=""
loops=""
cleanup() {
	for p in $loops; do kill "$p" 2>/dev/null || :; done
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || :; fi
	rm -rf "$root"
}
trap cleanup EXIT
WAL="$root/.cfunc/TestHubName.db-wal"

cat >"$root/host.json" <<JSON
{ "version": "2.0",
  "logging": { "logLevel": { "default": "Warning" } },
  "cfunc": { "apps": ["$B/samples/durable_hello.so", "$B/samples/fan_out_fan_in.so"] } }
JSON
(cd "$root" && exec "$CFUNC" start --port 0) >"$root/host.log" 2>&1 &
pid=$!
i=0
port=""
while [ -z "$port" ] && [ $i -lt 200 ]; do
	port=$(sed -n 's/.*Now listening on: http:\/\/.*:\([0-9][0-9]*\)$/\1/p' "$root/host.log" | head -1)
	sleep 0.05
	i=$((i + 1))
done
[ -n "$port" ] || { cat "$root/host.log"; exit 1; }
URL="http://127.0.0.1:$port"
end=$(($(date +%s) + DURATION))

c=0
while [ $c -lt "$CLIENTS" ]; do
	(while [ "$(date +%s)" -lt "$end" ]; do
		curl -s -o /dev/null --max-time 10 -X POST -d "{\"count\":$COUNT}" \
			"$URL/api/orchestrators/fan_out_fan_in" || :
	done) &
	loops="$loops $!"
	c=$((c + 1))
done
c=0
while [ $c -lt "$LISTERS" ]; do
	(while [ "$(date +%s)" -lt "$end" ]; do
		curl -s -o /dev/null --max-time 10 \
			"$URL/runtime/webhooks/durabletask/instances?top=1000" || :
	done) &
	loops="$loops $!"
	c=$((c + 1))
done

max=0
samples=0
while [ "$(date +%s)" -lt "$end" ]; do
	size=$(stat -c %s "$WAL" 2>/dev/null || echo 0)
	[ "$size" -gt "$max" ] && max=$size
	samples=$((samples + 1))
	sleep 0.05
done
for p in $loops; do wait "$p" 2>/dev/null || :; done
loops=""
# Completed instances, page by page.
completed=0
token=""
while :; do
	curl -s --max-time 30 -D "$root/headers" -o "$root/page" ${token:+-H "x-ms-continuation-token: $token"} \
		"$URL/runtime/webhooks/durabletask/instances?runtimeStatus=Completed&top=1000&showInput=false"
	completed=$((completed + $(jq length "$root/page")))
	token=$(sed -n 's/^x-ms-continuation-token: *\([^\r]*\)\r*$/\1/Ip' "$root/headers")
	[ -n "$token" ] || break
done
echo "max WAL: $((max / 1048576)) MB over $samples samples in ${DURATION}s;" \
	"$completed fan-outs of $COUNT completed; $CLIENTS starters, $LISTERS listers"
