#!/bin/sh
# bench/workers.sh - what worker processes cost, against the in-process
# build, in one run (not a test; figures go into BENCHMARKS.md):
#   1. HTTP hello (hello_http) requests/s, wrk
#   2. hello_sequence completed/s at saturation (HTTP starter + 3 activities)
#   3. start-to-Completed latency of one hello_sequence with one client
#   4. resident memory of the host and of its workers
#   5. time from a worker's death to its replacement being ready (crashy)
# Each phase runs in-process, then --worker-processes, same commands.
# Loopback only; every load phase is bounded by DURATION seconds.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
TOP=$(pwd)
B=$TOP/build
DURATION=${DURATION:-10}
CONNS=${CONNS:-64}
LAT_RUNS=${LAT_RUNS:-200}
CRASHES=${CRASHES:-20}
root=$(mktemp -d /tmp/cfunc-bench-workers.XXXXXX)
pid=""
trap bench_cleanup EXIT
DB="$root/.cfunc/TestHubName.db"
cat >"$root/host.json" <<JSON
{ "version": "2.0",
  "logging": { "logLevel": { "default": "Warning", "Host.Workers": "Error" } },
  "cfunc": { "apps": ["$B/samples/hello_http.so", "$B/samples/durable_hello.so",
                      "$B/tests/20-abi/crashy.so"], "workers": 4 } }
JSON
printf 'wrk.method = "POST"\nwrk.body = ""\n' >"$root/post.lua"

start() { # start [--worker-processes]
	rm -rf "$root/.cfunc"
	bench_host_start "$root" "$B/cfunc" "$@"
	URL=$H
}
stop() { bench_host_stop; }
q() { bench_q "$DB" "$1"; }
drain() { bench_drain "$DB"; }
rss_kb() { awk '/VmRSS/ { print $2 }' "/proc/$1/status"; }
children_rss_kb() {
	t=0
	for c in $(pgrep -P "$pid"); do t=$((t + $(rss_kb "$c"))); done
	echo "$t $(pgrep -P "$pid" | wc -l | tr -d ' ')"
}

for mode in in-process workers; do
	args=""
	[ "$mode" = workers ] && args="--worker-processes"
	start $args
	http=$(wrk -t1 -c"$CONNS" -d"${DURATION}s" "$URL/api/hello?name=bench" | awk '/Requests\/sec/ { print $2 }')
	stop
	start $args
	wrk -t1 -c"$CONNS" -d"${DURATION}s" -s "$root/post.lua" "$URL/api/orchestrators/hello_sequence" >/dev/null
	drain
	seq_rate=$(q "select printf('%.0f', count(*) / ((max(updated_us) - min(created_us)) / 1e6)) from instances where status = 1")
	stop
	start $args
	bench_posts "$LAT_RUNS" "$URL/runtime/webhooks/durabletask/orchestrators/hello_sequence?timeout=5&pollingInterval=0.01"
	lat=$(bench_start_to_done_ms "$DB" '%.2f')
	host_rss=$(rss_kb "$pid")
	kids=$(children_rss_kb)
	repl="-"
	if [ "$mode" = workers ]; then
		i=0
		while [ $i -lt "$CRASHES" ]; do
			curl -s -o /dev/null "$URL/api/crash/segv"
			i=$((i + 1))
		done
		repl=$(sed -n 's/.*replaced by process [0-9]* in \([0-9.]*\) ms.*/\1/p' "$root/host.log" | sort -n |
			awk '{ v[NR] = $1 } END { if (NR) printf "median %.1f ms, max %.1f ms (%d)", v[int((NR + 1) / 2)], v[NR], NR }')
	fi
	stop
	echo "$mode|$http|$seq_rate|$lat|$host_rss|$kids|$repl" >>"$root/results"
done

echo "| mode | HTTP hello req/s | hello_sequence completed/s | p50 start->Completed ms | host RSS KiB | workers (RSS KiB, count) | replacement after a crash |"
echo "|---|---|---|---|---|---|---|"
awk -F'|' '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }' "$root/results"
awk -F'|' 'NR == 1 { h = $2; s = $3 } NR == 2 { printf "\nratios (workers / in-process): HTTP %.2f, hello_sequence %.2f\n", $2 / h, $3 / s }' "$root/results"
echo
bench_machine
echo "commands: wrk -t1 -c$CONNS -d${DURATION}s $URL/api/hello?name=bench;" \
	"wrk -t1 -c$CONNS -d${DURATION}s -s post.lua $URL/api/orchestrators/hello_sequence;" \
	"$LAT_RUNS x curl -X POST '$URL/runtime/webhooks/durabletask/orchestrators/hello_sequence?timeout=5&pollingInterval=0.01';" \
	"$CRASHES x curl $URL/api/crash/segv"
