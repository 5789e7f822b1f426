#!/bin/sh
# bench/entities.sh - durable entity figures (not a test; `make bench-entities`).
#   1. signals/s to one entity (the "counter" of samples/entities), over
#      HTTP (POST …/entities/counter/hot?op=add, wrk), each answered 202
#      after its commit; then how fast the queued operations are applied
#   2. the same spread over 1,000 entities (a random key per request)
#   0. the baseline, same run: starts/s of hello_sequence through the
#      management API (POST …/orchestrators/hello_sequence), also a write
#      answered 202 after its commit
#   3. orchestration -> entity call round trip: RUNS orchestrations one at a
#      time, each making CALLS sequential calls; per orchestration the
#      client's start -> completion time over CALLS, p50/p99 across the RUNS
# Settings: SYNC (default ACKNOWLEDGED, the host's own default; FULL or
# NORMAL for the others), CONNS (wrk connections; a list such as
# "64 128 256" runs every signal phase once per count), PHASES (which of
# "baseline one many calls" to run, default all), WORKERS=1 (the host with
# --worker-processes: entity batches in a worker process). Loopback only;
# every load phase is bounded by DURATION s.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
TOP=$(pwd)
DURATION=${DURATION:-10}
CONNS=${CONNS:-64}
SYNC=${SYNC:-ACKNOWLEDGED}
PHASES=${PHASES:-baseline one many calls}
CALLS=${CALLS:-20}
RUNS=${RUNS:-50}
B=${BUILD_DIR:-$TOP/build}
WORKERS=${WORKERS:-}
TICK=$(getconf CLK_TCK)
case $B in /*) ;; *) B=$TOP/$B ;; esac
root=$(mktemp -d /tmp/cfunc-bench-entities.XXXXXX)
pid=""
trap bench_cleanup EXIT
DB="$root/.cfunc/TestHubName.db"

cat >"$root/host.json" <<JSON
{ "version": "2.0",
  "logging": { "logLevel": { "default": "${LOG_LEVEL:-Warning}" } },
  "extensions": { "durableTask": { "storageProvider": { "synchronous": "$SYNC" } } },
  "cfunc": { "apps": ["$B/samples/durable_hello.so", "$B/samples/entities.so", "$B/samples/async_http.so"] } }
JSON
cat >"$root/one.lua" <<'LUA'
wrk.method = "POST"
wrk.body = "1"
wrk.headers["Content-Type"] = "application/json"
LUA
printf 'wrk.method = "POST"\n' >"$root/start.lua"
cat >"$root/many.lua" <<'LUA'
wrk.method = "POST"
wrk.body = "1"
wrk.headers["Content-Type"] = "application/json"
request = function()
	return wrk.format(nil, "/runtime/webhooks/durabletask/entities/counter/k" .. math.random(0, 999) .. "?op=add")
end
LUA

# start: a fresh task hub and a host on a free port; sets URL and E.
start() {
	rm -rf "$root/.cfunc"
	# WORKERS=1: worker processes (the default); else --in-process, as the
	# figures in BENCHMARKS.md were taken.
	mode=in-process
	[ -n "${WORKERS:-}" ] && mode=workers
	# shellcheck disable=SC2046 # one option or none
	bench_host_start "$root" "$B/cfunc" $(bench_mode_flag "$B/cfunc" "$mode")
	URL=$H
	E="$URL/runtime/webhooks/durabletask/entities"
}
stop() { bench_host_stop; }
q() { bench_q "$DB" "$1"; }
ms() { echo $(($(date +%s%N) / 1000000)); }
# applied: the sum of every counter's state
applied() { q "select coalesce(sum(cast(output as integer)), 0) from instances where instance_id like '@counter@%'"; }
# phase <name>: whether PHASES names it
phase() { case " $PHASES " in *" $1 "*) return 0 ;; esac; return 1; }
# cpu all|engine: CPU ticks (user + system, 1/CLK_TCK s) the host has used,
# all its threads or its engine thread only; a figure per signal that the
# machine's other load changes much less than signals/s
cpu() {
	f=/proc/$pid/stat
	[ "$1" = all ] || f=$(grep -lx engine /proc/"$pid"/task/*/comm | sed 's/comm$/stat/')
	sed 's/.*) //' "$f" | awk '{ print $12 + $13 }'
}
# signals <lua> <label> <connections>
signals() {
	start
	c0=$(cpu all)
	e0=$(cpu engine)
	out=$(wrk -t1 -c"$3" -d"${DURATION}s" -s "$root/$1" "$E/counter/hot?op=add")
	t_end=$(ms)
	sent=$(printf '%s\n' "$out" | awk '/requests in/ { print $1 }')
	secs=$(printf '%s\n' "$out" | awk '/requests in/ { sub(/s,$/, "", $4); print $4 }')
	non2xx=$(printf '%s\n' "$out" | awk '/Non-2xx/ { print $NF }')
	i=0
	while [ "$(applied)" -lt "$sent" ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
	t_done=$(ms)
	got=$(applied)
	c1=$(cpu all)
	e1=$(cpu engine)
	echo "$2, -c$3: $sent signals acknowledged in ${secs}s = $(awk "BEGIN { printf \"%.0f\", $sent / $secs }")/s (non-2xx: ${non2xx:-0}); all $got applied $((t_done - t_end)) ms after the load ended;" \
		"host CPU $(awk "BEGIN { printf \"%.1f\", ($c1 - $c0) * 1e6 / $TICK / $got }") us/signal, engine thread $(awk "BEGIN { printf \"%.1f\", ($e1 - $e0) * 1e6 / $TICK / $got }")"
	stop
}

echo "## entities (synchronous=$SYNC, wrk -t1 -c<$CONNS> -d${DURATION}s, $B)"
if phase baseline; then
	c=${CONNS%% *}
	start
	out=$(wrk -t1 -c"$c" -d"${DURATION}s" -s "$root/start.lua" "$URL/runtime/webhooks/durabletask/orchestrators/hello_sequence")
	printf '%s\n' "$out" | awk -v c="$c" '/requests in/ { sub(/s,$/, "", $4); printf "baseline, -c%s: %d hello_sequence starts acknowledged in %ss = %.0f/s\n", c, $1, $4, $1 / $4 }'
	stop
fi
for c in $CONNS; do
	if phase one; then signals one.lua "one entity" "$c"; fi
	if phase many; then signals many.lua "1,000 entities" "$c"; fi
done
phase calls || exit 0

# 3. Round trip: RUNS orchestrations, one at a time, each making CALLS
# sequential calls to one counter, started with samples/async_http's
# POST /api/async/counter_calls, which answers when the orchestration's
# completion commits (a wait woken by the commit, no polling). Per
# orchestration: curl's total time over CALLS, so each figure is one call's
# share of start -> completed, replays included (CALLS 20 keeps the O(n^2)
# replay small). The history's timestamps cannot give this: they are batch
# times, and a call, its reply and the next call often share one batch.
# p50/p99 are over the RUNS orchestrations.
start
: >"$root/rt.txt"
r=0
while [ $r -lt "$RUNS" ]; do
	curl -s -o /dev/null -w '%{time_total}\n' -X POST -H 'Content-Type: application/json' \
		-d "{\"key\":\"rt$r\",\"n\":$CALLS}" \
		"$URL/api/async/counter_calls?timeout_ms=60000&retry_ms=1000" |
		awk -v calls="$CALLS" '{ printf "%.3f\n", $1 * 1000 / calls }' >>"$root/rt.txt"
	r=$((r + 1))
done
sort -n "$root/rt.txt" | awk -v calls="$CALLS" '
	{ d[n++] = $1; s += $1 }
	END {
		printf "orchestration -> entity call round trip (client start -> completed answer / %d calls, %d orchestrations one at a time): mean %.2f ms, p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
			calls, n, s / n, d[int(n * 0.5)], d[int(n * 0.99)], d[n - 1]
	}'
stop
