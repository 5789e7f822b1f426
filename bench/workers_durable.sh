#!/bin/sh
# bench/workers_durable.sh - durable hello_sequence in process and with
# --worker-processes, for two builds, in one run (not a test; figures go
# into BENCHMARKS.md). For each load, ROUNDS rounds; each round runs every
# build in process then with workers, back to back, so that all four share
# the round's load on the machine. The loads:
#   wait-N  N clients, each starting one and waiting for its completion
#           (the start-and-wait webhook), then the next: a closed loop
#   start-N N clients starting as fast as the host answers (202), then a
#           drain: saturation
# Per run: completed/s (completed instances over first start to last
# completion) and p50/p99 start->Completed ms from the task hub's rows; the
# worker processes' RSS after the last load. Loopback only; each load is
# bounded by DURATION seconds, each drain by 2 minutes.
#   BASE=/tmp/base/build NEW=$PWD/build DURATION=6 ROUNDS=2 LOADS="wait-1 wait-8 wait-64 start-64" \
#     sh bench/workers_durable.sh
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
NEW=${NEW:-$(pwd)/build}
BASE=${BASE:-}
DURATION=${DURATION:-6}
ROUNDS=${ROUNDS:-2}
LOADS=${LOADS:-wait-1 wait-8 wait-64 start-64}
root=$(mktemp -d /tmp/cfunc-bench-wdurable.XXXXXX)
pid=""
trap bench_cleanup EXIT
DB="$root/.cfunc/TestHubName.db"
printf 'wrk.method = "POST"\nwrk.body = ""\n' >"$root/post.lua"

start() { # start <build dir> in-process|workers
	rm -rf "$root/.cfunc"
	cat >"$root/host.json" <<JSON
{ "version": "2.0",
  "logging": { "logLevel": { "default": "Warning", "Host.Workers": "Error" } },
  "cfunc": { "apps": ["$1/samples/durable_hello.so"], "workers": 4 } }
JSON
	if [ "$2" = workers ]; then
		bench_host_start "$root" "$1/cfunc" --worker-processes
	else
		# shellcheck disable=SC2046 # one option or none
		bench_host_start "$root" "$1/cfunc" $(bench_mode_flag "$1/cfunc" in-process)
	fi
}
children_rss() {
	t=0
	for c in $(pgrep -P "$pid"); do t=$((t + $(awk '/VmRSS/ { print $2 }' "/proc/$c/status"))); done
	echo "$((t / 1024)) MiB in $(pgrep -P "$pid" | wc -l | tr -d ' ')"
}

builds="new"
[ -n "$BASE" ] && builds="base new"
echo "| load | round | build | mode | completed/s | p50 ms | p99 ms |"
echo "|---|---|---|---|---|---|---|"
for load in $LOADS; do
	n=${load#*-}
	r=1
	while [ "$r" -le "$ROUNDS" ]; do
		for build in $builds; do
			dir=$NEW
			[ "$build" = base ] && dir=$BASE
			for mode in in-process workers; do
				start "$dir" $mode
				case $load in
				wait-*) url="$H/runtime/webhooks/durabletask/orchestrators/hello_sequence?timeout=5&pollingInterval=0.01" ;;
				*) url="$H/api/orchestrators/hello_sequence" ;;
				esac
				wrk -t1 -c"$n" -d"${DURATION}s" -s "$root/post.lua" "$url" >/dev/null
				bench_drain "$DB"
				rate=$(bench_q "$DB" "select printf('%.0f', count(*) / ((max(updated_us) - min(created_us)) / 1e6)) from instances where status = 1")
				lat=$(bench_start_to_done_ms "$DB" '%.2f | %.2f')
				echo "| $load | $r | $build | $mode | $rate | $lat |"
				[ "$mode" = workers ] && children_rss >"$root/rss.$build"
				bench_host_stop
			done
		done
		r=$((r + 1))
	done
done
for build in $builds; do
	echo "worker processes' RSS after the last load, $build: $(cat "$root/rss.$build")"
done
bench_machine ", load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "commands: wrk -t1 -cN -d${DURATION}s -s post.lua (POST) \$H/runtime/webhooks/durabletask/orchestrators/hello_sequence?timeout=5&pollingInterval=0.01 (wait-N);" \
	"the same on \$H/api/orchestrators/hello_sequence (start-N), then a drain"
