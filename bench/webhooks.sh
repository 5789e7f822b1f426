#!/bin/sh
# bench/webhooks.sh - the durable management API under load. Not a test;
# figures go into BENCHMARKS.md. One host serves hello_http, durable_hello
# and the test app webhook_app (compiled here), on loopback only:
#   1. GET .../instances/{id} of a completed instance vs GET /api/hello, the
#      same wrk command in the same run, and their ratio (goal >= 0.5);
#   2. POST .../instances/{id}/raiseEvent/ping (wrk -s, rotating over
#      RAISE_INSTANCES running instances that wait for "ping" events);
#   3. listing: N_LIST instances, then GET .../instances?top=1000 page by
#      page while a writer keeps starting orchestrations: the longest page,
#      and the writer's start latency (an acknowledged commit) before and
#      during the listing, and as a control while wrk loads /api/hello (CPU
#      contention alone, no store reads).
# Each load phase is bounded by DURATION (<= 20 s).
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
DURATION=${DURATION:-10}
CONNS=${CONNS:-64}
THREADS=${THREADS:-1}
ROUNDS=${ROUNDS:-3}
RAISE_INSTANCES=${RAISE_INSTANCES:-64}
N_LIST=${N_LIST:-100000}
BUILD=${BUILD:-build}
TOP=$(pwd)
case $BUILD in /*) BD=$BUILD ;; *) BD=$TOP/$BUILD ;; esac
B=$BD/bench
[ "$DURATION" -le 20 ] || DURATION=20
mkdir -p "$B"
make -s BUILD="$BUILD" host samples >/dev/null
cc -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -fPIC -fvisibility=hidden -shared \
	-o "$B/webhook_app.so" tests/20-abi/webhook_app.c

root=$(mktemp -d /tmp/cfunc-bench.XXXXXX)
pid=""
trap bench_cleanup EXIT
cat >"$root/host.json" <<JSON
{ "version": "2.0",
  "logging": { "logLevel": { "Function": "${FUNCTION_LOG_LEVEL:-Information}" } },
  "cfunc": { "apps": ["$BD/samples/hello_http.so", "$BD/samples/durable_hello.so",
                      "$B/webhook_app.so"] } }
JSON
bench_host_start "$root" "$BD/cfunc"
W="$H/runtime/webhooks/durabletask"

# header <file> <name>: a header's value from a curl -D dump.
header() { tr -d '\r' <"$1" | awk -v n="$2" 'tolower($0) ~ "^" n ":" { sub(/^[^:]*: ?/, ""); print; exit }'; }

# --- 1. status of a completed instance vs /api/hello --------------------------
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$W/orchestrators/hello_sequence/bench-done?timeout=10&pollingInterval=0.05")
[ "$code" = 200 ] || { echo "bench-done did not complete ($code)" >&2; exit 1; }
echo "## GET status of a completed instance vs GET /api/hello"
echo
bench_rounds status "$W/instances/bench-done" hello "$H/api/hello?name=bench"

# --- 2. raise events to running instances ---------------------------------------
i=0
while [ $i -lt "$RAISE_INSTANCES" ]; do
	curl -s -o /dev/null -X POST "$W/orchestrators/wh_pinger/ping-$i"
	i=$((i + 1))
done
cat >"$root/raise.lua" <<LUA
-- POST raiseEvent/ping round-robin over ping-0 .. ping-$((RAISE_INSTANCES - 1))
local n = $RAISE_INSTANCES
i = 0
function setup(thread) thread:set("i", math.random(n)) end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = "1"
request = function()
	i = (i + 1) % n
	return wrk.format(nil, "/runtime/webhooks/durabletask/instances/ping-" .. i .. "/raiseEvent/ping")
end
LUA
out=$(wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" -s "$root/raise.lua" "$H")
echo
echo "## POST raiseEvent to $RAISE_INSTANCES running instances"
echo
echo "raise req/s: $(printf '%s\n' "$out" | awk '/Requests\/sec/ { print $2 }'), non-2xx: $(printf '%s\n' "$out" | awk '/Non-2xx/ { print $NF; f = 1 } END { if (!f) print 0 }')"
st=$(curl -s "$W/instances/ping-0" | jq -r .runtimeStatus)
echo "ping-0 afterwards: $st"
i=0
while [ $i -lt "$RAISE_INSTANCES" ]; do
	curl -s -o /dev/null -X POST "$W/instances/ping-$i/terminate"
	i=$((i + 1))
done

# --- 3. listing 100,000 instances while a writer starts more ------------------
t0=$(date +%s.%N)
timeout 20 curl -s --parallel --parallel-max 64 -X POST -o /dev/null \
	"$W/orchestrators/wh_noop/L-[000000-$(printf '%06d' $((N_LIST - 1)))]" >/dev/null 2>&1 || true
t1=$(date +%s.%N)
# count_pending: instances still Pending or Running (paged: a sparse filter
# may return short pages with a token).
count_pending() {
	_n=0
	_tok=""
	while :; do
		_c=$(curl -s -D "$root/h" -H "x-ms-continuation-token: $_tok" \
			"$W/instances?top=1000&runtimeStatus=Pending,Running&showInput=false" | jq length)
		_n=$((_n + _c))
		_tok=$(header "$root/h" x-ms-continuation-token)
		[ -z "$_tok" ] && break
	done
	echo $_n
}
i=0
while [ "$(count_pending)" -ne 0 ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done

# writer <tag> <file>: starts wh_noop instances one after the other on one
# connection until $root/stop exists, appending each latency (ms) to <file>.
writer() {
	_r=0
	while [ ! -e "$root/stop" ]; do
		curl -s -o /dev/null -w '%{time_total}\n' -X POST "$W/orchestrators/wh_noop/$1-$_r-[1-50]" |
			bench_ms >>"$2"
		_r=$((_r + 1))
	done
}
: >"$root/before"
: >"$root/during"
writer Wb "$root/before" &
wpid=$!
sleep 3
touch "$root/stop"
wait $wpid
rm -f "$root/stop"

writer Wd "$root/during" &
wpid=$!
: >"$root/pages"
tok=""
listed=0
pages=0
while :; do
	t=$(curl -s -D "$root/h" -o "$root/page" -w '%{time_total}' -H "x-ms-continuation-token: $tok" "$W/instances?top=1000")
	echo "$t" | bench_ms >>"$root/pages"
	listed=$((listed + $(jq length "$root/page")))
	pages=$((pages + 1))
	tok=$(header "$root/h" x-ms-continuation-token)
	[ -z "$tok" ] && break
done
touch "$root/stop"
wait $wpid
rm -f "$root/stop"

# Control: the same writer while wrk loads /api/hello (CPU only, no store
# reads), to tell CPU contention on a small machine from store contention.
: >"$root/control"
writer Wc "$root/control" &
wpid=$!
wrk -t1 -c8 -d3s "$H/api/hello?name=bench" >/dev/null
touch "$root/stop"
wait $wpid

# shellcheck disable=SC2046 # bench_stats prints "p50 p99 max", split into $1..$3
set -- $(bench_stats "$root/pages")
echo
echo "## Listing while starting orchestrations"
echo
echo "listed $listed instances in $pages pages of top=1000 (starting $N_LIST wh_noop instances with 64 parallel POSTs took $(echo "$t0 $t1" | awk '{ printf "%.1f", $2 - $1 }') s, 20 s at most)"
echo "page time ms: p50 $1, p99 $2, longest $3"
# shellcheck disable=SC2046 # bench_stats prints "p50 p99 max", split into $1..$3
set -- $(bench_stats "$root/before")
b50=$1 bmax=$3
echo "start latency before the listing ms ($(wc -l <"$root/before") starts): p50 $1, p99 $2, max $3"
# shellcheck disable=SC2046 # bench_stats prints "p50 p99 max", split into $1..$3
set -- $(bench_stats "$root/during")
dmax=$3
echo "start latency during the listing ms ($(wc -l <"$root/during") starts): p50 $1, p99 $2, max $3"
# shellcheck disable=SC2046 # bench_stats prints "p50 p99 max", split into $1..$3
set -- $(bench_stats "$root/control")
echo "start latency during wrk on /api/hello ms ($(wc -l <"$root/control") starts, control): p50 $1, p99 $2, max $3"
echo "commits delayed > 10 ms by the listing: $(echo "$dmax $bmax" | awk '{ print ($1 > $2 + 10) ? "yes" : "no" }') (max during vs max before + 10 ms; p50 before $b50)"

echo
bench_machine
echo "commands: wrk -t$THREADS -c$CONNS -d${DURATION}s $W/instances/bench-done | $H/api/hello?name=bench;"
echo "  wrk -t$THREADS -c$CONNS -d${DURATION}s -s raise.lua $H (POST instances/ping-N/raiseEvent/ping, body 1);"
echo "  curl --parallel --parallel-max 64 -X POST $W/orchestrators/wh_noop/L-[000000-$(printf '%06d' $((N_LIST - 1)))];"
echo "  GET $W/instances?top=1000 following x-ms-continuation-token, while curl POSTs wh_noop starts one by one"
echo "  control: the same writer during wrk -t1 -c8 -d3s $H/api/hello?name=bench"
echo "  (FUNCTION_LOG_LEVEL=${FUNCTION_LOG_LEVEL:-Information}, storage synchronous=FULL default)"
