#!/bin/sh
# bench/start_wait.sh - the start-and-wait workload: one POST starts
# hello_sequence (three activities) and answers with its output, in a
# closed loop (wrk -c N). Not a test; figures go into BENCHMARKS.md.
#   mgmt    POST /runtime/webhooks/durabletask/orchestrators/hello_sequence
#           ?timeout=10&pollingInterval=0.01 (the management API's §3.4 wait)
#   sample  POST /api/async/hello_sequence?timeout_ms=10000&retry_ms=10
#           (samples/async_http: cf_durable_wait_or_check_status_response)
# for N in $CONNS_LIST, reporting req/s, p50 and p99 (wrk --latency), and
# the share of answers that were not 200 (a 202 means the wait timed out).
# The intervals are the smallest the polling implementation allowed, so a
# build from before the engine-woken waits shows its best.
#
# OLD=<dir> also measures another build (a directory holding cfunc and
# samples/, e.g. the previous main built with `make BUILD=<dir>` in an
# export of it) in the same run, side by side. The task hub keeps its
# configured synchronous setting (FULL unless host.json says otherwise).
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
DURATION=${DURATION:-10}
THREADS=${THREADS:-1}
CONNS_LIST=${CONNS_LIST:-"1 32 64"}
BUILD=${BUILD:-build}
OLD=${OLD:-}
SYNC=${SYNC:-}
TOP=$(pwd)
case $BUILD in /*) BD=$BUILD ;; *) BD=$TOP/$BUILD ;; esac
[ "$DURATION" -le 20 ] || DURATION=20
command -v wrk >/dev/null || { echo "wrk is missing: sh scripts/setup.sh wrk" >&2; exit 1; }
make -s BUILD="$BUILD" host samples >/dev/null

root=$(mktemp -d /tmp/cfunc-bench-sw.XXXXXX)
work=$root
pid=""
trap bench_cleanup EXIT
cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
local codes = {}
response = function(status, headers, body)
	codes[status] = (codes[status] or 0) + 1
end
done = function(summary, latency, requests)
	local other = 0
	for s, n in pairs(codes) do if s ~= 200 then other = other + n end end
	io.write(string.format("NON200 %d\n", other))
end
LUA

# start_host <build dir>: a fresh app root with durable_hello and async_http;
# sets pid and H.
start_host() {
	hroot="$work/root-$(basename "$1")-$$-$(date +%s%N)"
	mkdir -p "$hroot"
	ext=""
	[ -n "$SYNC" ] && ext='"extensions": { "durableTask": { "storageProvider": { "synchronous": "'$SYNC'" } } },'
	cat >"$hroot/host.json" <<JSON
{ "version": "2.0",
  "logging": { "logLevel": { "default": "Warning" } },
  $ext
  "cfunc": { "apps": ["$1/samples/durable_hello.so", "$1/samples/async_http.so"] } }
JSON
	bench_host_start "$hroot" "$1/cfunc"
}
stop_host() { bench_host_stop; }

# run <url> <conns>: "req/s p50 p99 non-200" (latencies as wrk prints them).
run() {
	wrk -t"$THREADS" -c"$2" -d"${DURATION}s" --latency -s "$work/post.lua" "$1" | awk '
		/Requests\/sec/ { rps = $2 }
		/^ +50%/ { p50 = $2 }
		/^ +99%/ { p99 = $2 }
		/^NON200/ { bad = $2 }
		END { printf "%s %s %s %s\n", rps, p50, p99, bad }'
}

MGMT="/runtime/webhooks/durabletask/orchestrators/hello_sequence?timeout=10&pollingInterval=0.01"
SAMPLE="/api/async/hello_sequence?timeout_ms=10000&retry_ms=10"

builds="$BD"
[ -n "$OLD" ] && builds="$OLD $BD"
echo "| build | route | N | req/s | p50 | p99 | not 200 |"
echo "|---|---|---|---|---|---|---|"
for n in $CONNS_LIST; do
	for route in mgmt sample; do
		for b in $builds; do
			start_host "$b"
			[ "$route" = mgmt ] && url="$H$MGMT" || url="$H$SAMPLE"
			# Warm-up: the hub file, the read handles, the first episodes.
			curl -s -o /dev/null -X POST "$url"
			read -r rps p50 p99 bad <<RESULT
$(run "$url" "$n")
RESULT
			name=new
			[ "$b" = "$OLD" ] && name=old
			echo "| $name | $route | $n | $rps | $p50 | $p99 | $bad |"
			stop_host
		done
	done
done
