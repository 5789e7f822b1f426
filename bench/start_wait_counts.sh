#!/bin/sh
# bench/start_wait_counts.sh - where one start-and-wait's time goes: the
# workload of bench/start_wait.sh (one route, one N), with the host's
# fdatasync, pwrite64 and futex calls and context switches counted by
# `perf stat -p` (tracepoints; they work where hardware counters do not),
# and each thread kind's CPU time from /proc/<host>/task/*/stat, all
# divided by the requests wrk answered; and the engine's batches and
# episodes per request (/admin/host/status) with the inbox rows written per
# activity result (the task hub's AUTOINCREMENT counter: 0 while each
# result's episode runs in the batch that applied it). Not a test; figures
# go into BENCHMARKS.md.
#   ROUTE=mgmt|sample CONNS=N DURATION=s BUILD=<dir holding cfunc and samples/>
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
ROUTE=${ROUTE:-mgmt}
CONNS=${CONNS:-1}
DURATION=${DURATION:-5}
BUILD=${BUILD:-build}
case $BUILD in /*) BD=$BUILD ;; *) BD=$(pwd)/$BUILD ;; esac
[ "$DURATION" -le 20 ] || DURATION=20
command -v wrk >/dev/null || { echo "wrk is missing: sh scripts/setup.sh wrk" >&2; exit 1; }
command -v perf >/dev/null || { echo "perf is missing" >&2; exit 1; }
[ -x "$BD/cfunc" ] || { echo "no cfunc in $BD" >&2; exit 1; }

root=$(mktemp -d /tmp/cfunc-bench-swc.XXXXXX)
pid=""
trap bench_cleanup EXIT
printf 'wrk.method = "POST"\n' >"$root/post.lua"
cat >"$root/host.json" <<JSON
{ "version": "2.0",
  "logging": { "logLevel": { "default": "Warning" } },
  "cfunc": { "apps": ["$BD/samples/durable_hello.so", "$BD/samples/async_http.so"] } }
JSON
bench_host_start "$root" "$BD/cfunc"
if [ "$ROUTE" = mgmt ]; then
	url="$H/runtime/webhooks/durabletask/orchestrators/hello_sequence?timeout=10&pollingInterval=0.01"
else
	url="$H/api/async/hello_sequence?timeout_ms=10000&retry_ms=10"
fi
curl -s -o /dev/null -X POST "$url" # warm-up: the hub file, the first episodes

# cpu_by_thread: "<thread kind> <utime+stime ticks>", kinds without their -N.
cpu_by_thread() {
	for t in /proc/"$pid"/task/*; do
		printf '%s %s\n' "$(cat "$t/comm")" "$(awk '{ print $14 + $15 }' "$t/stat")"
	done | awk '{ n = $1; sub(/-[0-9]+$/, "", n); s[n] += $2 } END { for (k in s) print k, s[k] }' |
		sort
}
# engine_counts: "<batches> <episodes> <activities>" from the host's status.
engine_counts() {
	curl -s "$H/admin/host/status" | jq -r '[.. | objects | select(has("batches"))][0] |
		"\(.batches) \(.episodes) \(.activities)"'
}
# inbox_rows: inbox rows ever written to the task hub (0 without sqlite3).
inbox_rows() {
	command -v sqlite3 >/dev/null || { echo 0; return; }
	n=$(sqlite3 "file:$root/.cfunc/TestHubName.db?mode=ro" \
		"SELECT seq FROM sqlite_sequence WHERE name = 'inbox'" 2>/dev/null)
	echo "${n:-0}"
}
engine_counts >"$root/engine.before"
inbox_before=$(inbox_rows)
cpu_by_thread >"$root/cpu.before"
perf stat -x, -p "$pid" -o "$root/stat.txt" \
	-e syscalls:sys_enter_fdatasync,syscalls:sys_enter_pwrite64,syscalls:sys_enter_futex,context-switches \
	-- sleep "$DURATION" &
perf_pid=$!
wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency -s "$root/post.lua" "$url" >"$root/wrk.txt"
wait "$perf_pid"
cpu_by_thread >"$root/cpu.after"
engine_counts >"$root/engine.after"
inbox_after=$(inbox_rows)
reqs=$(awk '/requests in/ { print $1 }' "$root/wrk.txt")
ticks=$(getconf CLK_TCK)
echo "route $ROUTE, N=$CONNS, ${DURATION} s: $(awk '/Requests\/sec/ { r = $2 } /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
	END { printf "%s req/s, p50 %s, p99 %s", r, p50, p99 }' "$root/wrk.txt"), $reqs requests"
awk -F, -v r="$reqs" '/^[0-9]/ { printf "  %-36s %8.2f per request\n", $3, $1 / r }' "$root/stat.txt"
join "$root/cpu.before" "$root/cpu.after" |
	awk -v r="$reqs" -v hz="$ticks" '{ us = ($3 - $2) * 1000000 / hz / r; printf "  CPU %-14s %8.1f us per request\n", $1, us }'
paste -d' ' "$root/engine.before" "$root/engine.after" |
	awk -v r="$reqs" -v ib="$inbox_before" -v ia="$inbox_after" '{
		results = $6 - $3
		per = results > 0 ? (ia - ib) / results : 0
		printf "  engine batches %.2f, episodes %.2f per request; inbox rows %.4f per activity result\n",
			($4 - $1) / r, ($5 - $2) / r, per }'
bench_host_stop
