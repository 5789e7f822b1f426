#!/bin/sh
# bench/workers.sh - what worker processes cost, against the in-process
# build, in one run (not a test; figures go into BENCHMARKS.md):
#   1. HTTP hello (hello_http) requests/s, wrk
#   2. hello_sequence completed/s at saturation (HTTP starter + 3 activities)
#   3. start-to-Completed latency of one hello_sequence with one client
#   4. resident memory of the host and of its workers
#   5. time from a worker's death to its replacement being ready (crashy)
# Each phase runs ROUNDS times, --in-process then with worker processes (the
# default, --worker-processes), back to
# back with the same command, so that both see the same load; each row
# gives that round's ratio. Loopback only; every load phase is bounded by
# DURATION seconds.
#   DURATION=10 ROUNDS=3 CONNS=64 LAT_RUNS=200 CRASHES=12 sh bench/workers.sh
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
TOP=$(pwd)
B=${B:-$TOP/build}
# The host runs in its scratch directory: a relative build path is taken
# from here.
case $B in /*) ;; *) B=$TOP/$B ;; esac
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-64}
LAT_RUNS=${LAT_RUNS:-200}
# Below the crash-loop bound (3 x 6 processes of crashy within 60 s: 4 for
# calls, 2 for episodes).
CRASHES=${CRASHES:-12}
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

start() { # start in-process|workers
	rm -rf "$root/.cfunc"
	if [ "$1" = workers ]; then
		bench_host_start "$root" "$B/cfunc" --worker-processes
	else
		# shellcheck disable=SC2046 # one option or none
		bench_host_start "$root" "$B/cfunc" $(bench_mode_flag "$B/cfunc" in-process)
	fi
	URL=$H
}
stop() { bench_host_stop; }
q() { bench_q "$DB" "$1"; }
rss_kb() { awk '/VmRSS/ { print $2 }' "/proc/$1/status"; }
children_rss_kb() {
	t=0
	for c in $(pgrep -P "$pid"); do t=$((t + $(rss_kb "$c"))); done
	echo "$t KiB in $(pgrep -P "$pid" | wc -l | tr -d ' ')"
}
# row <figure> <in-process> <workers>: one table row with the ratio.
row() { awk -v f="$1" -v a="$2" -v b="$3" 'BEGIN { printf "| %s | %s | %s | %.2f |\n", f, a, b, b / a }'; }

echo "| figure | in-process | workers | ratio |"
echo "|---|---|---|---|"
r=1
while [ "$r" -le "$ROUNDS" ]; do
	for mode in in-process workers; do
		start $mode
		wrk -t1 -c"$CONNS" -d"${DURATION}s" "$URL/api/hello?name=bench" |
			awk '/Requests\/sec/ { print $2 }' >"$root/http.$mode"
		stop
	done
	row "HTTP hello req/s, round $r" "$(cat "$root/http.in-process")" "$(cat "$root/http.workers")"
	r=$((r + 1))
done
r=1
while [ "$r" -le "$ROUNDS" ]; do
	for mode in in-process workers; do
		start $mode
		wrk -t1 -c"$CONNS" -d"${DURATION}s" -s "$root/post.lua" "$URL/api/orchestrators/hello_sequence" >/dev/null
		bench_drain "$DB"
		q "select printf('%.0f', count(*) / ((max(updated_us) - min(created_us)) / 1e6)) from instances where status = 1" >"$root/seq.$mode"
		stop
	done
	row "hello_sequence completed/s, round $r" "$(cat "$root/seq.in-process")" "$(cat "$root/seq.workers")"
	r=$((r + 1))
done
r=1
while [ "$r" -le "$ROUNDS" ]; do
	for mode in in-process workers; do
		start $mode
		bench_posts "$LAT_RUNS" "$URL/runtime/webhooks/durabletask/orchestrators/hello_sequence?timeout=5&pollingInterval=0.01"
		bench_start_to_done_ms "$DB" '%.2f' >"$root/lat.$mode"
		if [ $r = 1 ]; then
			echo "$(rss_kb "$pid") KiB" >"$root/rss.$mode"
			children_rss_kb >"$root/kids.$mode"
		fi
		stop
	done
	row "p50 start->Completed ms, round $r" "$(cat "$root/lat.in-process")" "$(cat "$root/lat.workers")"
	r=$((r + 1))
done
echo "| host RSS after the latency runs | $(cat "$root/rss.in-process") | $(cat "$root/rss.workers") | |"
echo "| worker processes' RSS | - | $(cat "$root/kids.workers") | |"

start workers
i=0
while [ $i -lt "$CRASHES" ]; do
	curl -s -o /dev/null "$URL/api/crash/segv"
	i=$((i + 1))
done
stop
repl=$(sed -n 's/.*replaced by process [0-9]* in \([0-9.]*\) ms.*/\1/p' "$root/host.log" | sort -n |
	awk '{ v[NR] = $1 } END { if (NR) printf "median %.1f ms, max %.1f ms (%d crashes)", v[int((NR + 1) / 2)], v[NR], NR }')
echo "| replacement ready after a crash | - | $repl | |"
echo
bench_machine ", load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "commands: wrk -t1 -c$CONNS -d${DURATION}s \$URL/api/hello?name=bench;" \
	"wrk -t1 -c$CONNS -d${DURATION}s -s post.lua \$URL/api/orchestrators/hello_sequence;" \
	"$LAT_RUNS x curl -X POST '\$URL/runtime/webhooks/durabletask/orchestrators/hello_sequence?timeout=5&pollingInterval=0.01';" \
	"$CRASHES x curl \$URL/api/crash/segv"
