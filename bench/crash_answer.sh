#!/bin/sh
# bench/crash_answer.sh - how long the client of a call that crashes its
# worker waits for its 500, for two builds in one run (not a test; figures
# go into BENCHMARKS.md). Each round starts a host of crashy (cfunc.workers
# 2: 4 processes, so 12 deaths in 60 s fail the app) per build, A then B,
# and times CRASHES sequential GET /api/crash/segv with curl; a crash is
# sent once the previous one's replacement is listed ready, so that every
# one finds an idle worker.
#   A=/tmp/base-build B=/tmp/new-build ROUNDS=3 CRASHES=8 sh bench/crash_answer.sh
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
A=${A:?the build dir of the first build}
B=${B:?the build dir of the second build}
ROUNDS=${ROUNDS:-3}
CRASHES=${CRASHES:-8}
root=$(mktemp -d /tmp/cfunc-bench-crash.XXXXXX)
pid=""
trap bench_cleanup EXIT
mkdir -p "$root/apps"
cp "$B/tests/20-abi/crashy.so" "$root/apps/"
printf '{ "version": "2.0", "cfunc": { "apps": ["apps"], "workers": 2 } }\n' >"$root/host.json"

# ready: 1 when all of crashy's workers are listed ready (4).
ready() {
	curl -s --max-time 10 "$H/admin/host/functions" |
		jq -r '[.workers.apps[].workers[] | .state == "ready"] | (all and length == 4)'
}
wait_ready() {
	_i=0
	until [ "$(ready)" = true ] || [ $_i -ge 500 ]; do sleep 0.01; _i=$((_i + 1)); done
}
# round <build dir>: the ms of each crash's 500, one a line.
round() {
	MODE=workers bench_host_start "$root" "$1/cfunc"
	wait_ready
	_n=0
	while [ $_n -lt "$CRASHES" ]; do
		curl -s -o /dev/null -w '%{time_total}\n' "$H/api/crash/segv" |
			awk '{printf "%.2f\n", $1 * 1000}'
		wait_ready
		_n=$((_n + 1))
	done
	bench_host_stop
}
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
r=1
while [ $r -le "$ROUNDS" ]; do
	a=$(round "$A" | median)
	b=$(round "$B" | median)
	echo "round $r: crash 500 median A $a ms, B $b ms (B/A $(echo "$b $a" | awk '{printf "%.2f", $1 / $2}'))"
	r=$((r + 1))
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
