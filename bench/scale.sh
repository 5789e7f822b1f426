#!/bin/sh
# bench/scale.sh - large histories (not a test; run `sh bench/scale.sh` after
# `make all tests`).
#   1. fan-out/fan-in of FAN activities (scale_fan_out): time to Completed
#   2. SEQ sequential activities (scale_sequence): time to Completed
# While each runs, a probe starts another instance (scale_sequence with
# count 0) every PROBE_MS ms and records how long its 202 took: that is how
# long the big instance held up everyone else's commits.
# Timings of the big instance come from the task hub (created_us ->
# updated_us); probe latencies are curl's time_total; host CPU is the
# process's user + system time during the phase. SYNC=NORMAL sets the
# task hub's synchronous mode (default FULL). Each line ends with how many
# replays went to the replay thread and the longest. Loopback only; each
# phase gives up after LIMIT seconds; the host listens on a port the kernel
# picks.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
TOP=$(pwd)
FAN=${FAN:-100000}
SEQ=${SEQ:-10000}
LIMIT=${LIMIT:-300}
PROBE_MS=${PROBE_MS:-100}
B=${B:-$TOP/build}
# The host runs in its scratch directory: a relative build path is taken
# from here.
case $B in /*) ;; *) B=$TOP/$B ;; esac
root=$(mktemp -d /tmp/cfunc-bench-scale.XXXXXX)
pid=""
trap bench_cleanup EXIT
DB="$root/.cfunc/TestHubName.db"

cat >"$root/host.json" <<JSON
{ "version": "2.0",
  "logging": { "logLevel": { "default": "Warning" } },
  "extensions": { "durableTask": { "storageProvider": { "synchronous": "${SYNC:-FULL}" } } },
  "cfunc": { "apps": ["$B/tests/20-abi/scale_app.so"] } }
JSON

start() {
	rm -rf "$root/.cfunc"
	bench_host_start "$root" "$B/cfunc"
	URL=$H
	START="$URL/runtime/webhooks/durabletask/orchestrators"
}
stop() { bench_host_stop; }
q() { bench_q "$DB" "$1"; }

# CPU seconds (user + system) the host has used so far: on a shared
# machine this moves much less with the other jobs than wall time does.
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$pid/stat"; }

# steps <instance id> <n>: wall ms per episode over the first and the last n
# episodes (OrchestratorStarted timestamps of the history).
steps() {
	q "with os as (select row_number() over (order by seq) as k, timestamp_us as t from history
		where type = 12 and execution_id = (select execution_id from instances where instance_id = '$1')),
		m as (select max(k) as k from os)
	select printf('per step: first %d %.2f ms, last %d %.2f ms', $2,
		((select t from os where k = $2 + 1) - (select t from os where k = 1)) / 1e3 / $2, $2,
		((select t from os, m where os.k = m.k) - (select t from os, m where os.k = m.k - $2)) / 1e3 / $2)"
}

# run <orchestrator> <count>: starts it, probes until it ends (or LIMIT),
# prints one line of figures.
run() {
	cpu0=$(cpu_s)
	id=$(curl -s -X POST -d "{\"count\":$2}" "$START/$1" | jq -r .id)
	: >"$root/probe"
	t0=$(date +%s)
	while :; do
		st=$(q "select status from instances where instance_id = '$id'")
		[ "$st" = 1 ] || [ "$st" = 3 ] && break
		[ $(($(date +%s) - t0)) -ge "$LIMIT" ] && break
		curl -s -o /dev/null -w '%{time_total}\n' --max-time "$LIMIT" -X POST -d '{"count":0}' \
			"$START/scale_sequence" >>"$root/probe"
		sleep "$(echo "$PROBE_MS" | awk '{ print $1 / 1000 }')"
	done
	figures=$(q "select printf('%s in %.2f s, output %s', case status when 1 then 'Completed' when 3 then 'Failed'
		else 'NOT DONE (status ' || status || ')' end, (updated_us - created_us) / 1e6, output)
		from instances where instance_id = '$id'")
	[ "$st" = 1 ] || [ "$st" = 3 ] || figures="not done after $LIMIT s"
	probes=$(sort -n "$root/probe" | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "no probes"; exit }
		printf "%d probe starts: p50 %.1f ms, p99 %.1f ms, max %.1f ms", NR,
			v[int((NR - 1) * 0.5) + 1] * 1000, v[int((NR - 1) * 0.99) + 1] * 1000, v[NR] * 1000 }')
	cpu=$(awk -v a="$cpu0" -v b="$(cpu_s)" 'BEGIN { printf "%.1f", b - a }')
	extra=""
	[ "$1" = scale_sequence ] && [ "$2" -ge 2000 ] && extra="; $(steps "$id" 1000)"
	# What went to the replay thread (/admin/host/status, taskHub.engine).
	replays=$(curl -s "$URL/admin/host/status" | jq -r '.taskHub.engine.replayThread |
		"\(.offloaded) replays off the engine thread, longest \(.longestMs) ms"')
	echo "$figures; host CPU $cpu s$extra; $probes; $replays"
}

echo "## large histories"
echo
bench_machine "; synchronous=${SYNC:-FULL}; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo

start
echo "1. scale_fan_out of $FAN: $(run scale_fan_out "$FAN")"
stop
start
echo "2. scale_sequence of $SEQ: $(run scale_sequence "$SEQ")"
stop
