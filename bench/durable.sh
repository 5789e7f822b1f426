#!/bin/sh
# bench/durable.sh - durable engine figures (not a test; `make bench-durable`).
#   1. hello_sequence completed/s at saturation, started over HTTP (wrk),
#      synchronous=FULL
#   2. start-to-Completed latency of one hello_sequence with one client
#   3. fan-out/fan-in of 100 activities: orchestrations/s at saturation
#   4. fan-out/fan-in of 1,000 activities: time to Completed
#   5. resident memory with 10,000 orchestrations waiting for an event
# Timings come from the task hub itself (created_us -> updated_us of the
# Completed rows), read with sqlite3 from the WAL-mode file. Loopback only;
# every load phase is bounded by DURATION seconds.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
TOP=$(pwd)
DURATION=${DURATION:-10}
CONNS=${CONNS:-64}
LAT_RUNS=${LAT_RUNS:-300}
WAITERS=${WAITERS:-10000}
B=$TOP/build
root=$(mktemp -d /tmp/cfunc-bench-durable.XXXXXX)
pid=""
trap bench_cleanup EXIT
DB="$root/.cfunc/TestHubName.db"

cat >"$root/host.json" <<JSON
{ "version": "2.0",
  "logging": { "logLevel": { "default": "${LOG_LEVEL:-Warning}" } },
  "extensions": { "durableTask": { "storageProvider": { "synchronous": "${SYNC:-FULL}" } } },
  "cfunc": { "apps": ["$B/samples/durable_hello.so", "$B/samples/fan_out_fan_in.so",
                      "$B/tests/20-abi/testapp.so"] } }
JSON
printf 'wrk.method = "POST"\nwrk.body = os.getenv("BODY") or ""\n' >"$root/post.lua"

start() {
	rm -rf "$root/.cfunc"
	bench_host_start "$root" "$B/cfunc"
	URL=$H
}
stop() { bench_host_stop; }
q() { bench_q "$DB" "$1"; }
drain() { bench_drain "$DB"; }
rate() { # completed orchestrations per second over the run
	q "select printf('%d completed in %.2f s = %.0f/s', count(*), (max(updated_us) - min(created_us)) / 1e6,
		count(*) / ((max(updated_us) - min(created_us)) / 1e6)) from instances where status = 1"
}
rss_kb() { awk '/VmRSS/ { print $2 }' "/proc/$1/status"; }

echo "## durable engine"
echo
bench_machine "; synchronous=${SYNC:-FULL}"
echo

start
out=$(wrk -t1 -c"$CONNS" -d"${DURATION}s" -s "$root/post.lua" "$URL/api/orchestrators/hello_sequence")
drain
echo "1. hello_sequence at saturation: starts $(echo "$out" | awk '/Requests\/sec/ { print $2 }')/s accepted; $(rate)"
echo "   command: wrk -t1 -c$CONNS -d${DURATION}s -s post.lua $URL/api/orchestrators/hello_sequence"
stop

start
# The management API's start waits server-side (timeout + pollingInterval)
# and answers once the instance completed, so the client burns no CPU
# polling; the latency itself is read from the task hub.
bench_posts "$LAT_RUNS" "$URL/runtime/webhooks/durabletask/orchestrators/hello_sequence?timeout=5&pollingInterval=0.01"
echo "2. one client, $LAT_RUNS sequential hello_sequence, start commit -> Completed commit:" \
	"$(bench_start_to_done_ms "$DB" 'p50 %.2f ms, p99 %.2f ms, max %.2f ms')"
stop

start
out=$(BODY='{"count":100}' wrk -t1 -c16 -d"${DURATION}s" -s "$root/post.lua" "$URL/api/orchestrators/fan_out_fan_in")
drain
echo "3. fan-out/fan-in of 100 at saturation: $(rate)"
echo "   command: BODY='{\"count\":100}' wrk -t1 -c16 -d${DURATION}s -s post.lua $URL/api/orchestrators/fan_out_fan_in"
stop

start
for _ in 1 2 3; do
	curl -s -X POST -d '{"count":1000}' "$URL/api/orchestrators/fan_out_fan_in" >/dev/null
	drain
done
echo "4. fan-out/fan-in of 1,000 (3 runs, one at a time): $(q "select group_concat(printf('%.1f ms', (updated_us - created_us) / 1000.0), ', ') from instances where status = 1")"
stop

start
idle=$(rss_kb "$pid")
# shellcheck disable=SC2016 # $0 is the inner shell's, given after the script
seq 1 "$WAITERS" | xargs -P 16 -n 50 sh -c 'for i; do curl -s -o /dev/null -X POST "$0/api/test/start/test_waiter"; done' "$URL"
i=0
while [ "$(q "select count(*) from instances where status = 0")" -lt "$WAITERS" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
loaded=$(rss_kb "$pid")
echo "5. $(q "select count(*) from instances where status = 0") orchestrations waiting for an event: RSS $((idle / 1024)) MiB idle -> $((loaded / 1024)) MiB ($(((loaded - idle) / 1024)) MiB more)"
stop
