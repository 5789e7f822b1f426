#!/bin/sh
# bench/dashboard.sh - the dashboard at scale. Not a test; figures go into
# BENCHMARKS.md. On loopback only:
#   1. N_INSTANCES (100,000) finished instances, then GET /admin/durable/counts
#      against GET /admin/host/ping (same curl loop, same run, median of RUNS),
#      and one page of the listing the list view reads (top=100);
#   1b. the sorted listing (GET /admin/durable/instances) over those
#      instances, for each sort and order: the whole listing walked by
#      continuation token in pages of 1000 (every depth), its first page of
#      25 RUNS times, and a name filter that matches one instance in all;
#      p50 and p99 of the page times, against GET instances walked the same
#      way in the same run;
#   2. a fan-out of FAN activities (5,000: about 10,000 history events), then
#      GET /admin/durable/history of it against the management API's
#      showHistory=true status of the same instance;
#   3. in headless chromium (bench/dashboard_open.mjs): the list page at
#      100,000 instances, its next page, and opening the big instance.
set -eu
cd "$(dirname "$0")/.."
N_INSTANCES=${N_INSTANCES:-100000}
FAN=${FAN:-5000}
RUNS=${RUNS:-9}
BUILD=${BUILD:-build}
TOP=$(pwd)
case $BUILD in /*) BD=$BUILD ;; *) BD=$TOP/$BUILD ;; esac
B=$BD/bench
mkdir -p "$B"
make -s BUILD="$BUILD" host samples dashboard-test-deps >/dev/null
cc -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -fPIC -fvisibility=hidden -shared \
	-o "$B/webhook_app.so" tests/20-abi/webhook_app.c

root=$(mktemp -d /tmp/cfunc-bench-dash.XXXXXX)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$root"; }
trap cleanup EXIT
cat >"$root/host.json" <<JSON
{ "version": "2.0",
  "logging": { "logLevel": { "default": "Warning" } },
  "cfunc": { "apps": ["$BD/samples/durable_hello.so", "$BD/samples/fan_out_fan_in.so", "$B/webhook_app.so"] } }
JSON
(cd "$root" && exec "$BD/cfunc" start --port 0) >"$root/host.log" 2>&1 &
pid=$!
PORT=""
i=0
while [ -z "$PORT" ] && [ $i -lt 200 ]; do
	PORT=$(sed -n 's/.*Now listening on: http:\/\/.*:\([0-9][0-9]*\)$/\1/p' "$root/host.log" | head -1)
	sleep 0.05
	i=$((i + 1))
done
URL="http://127.0.0.1:$PORT"
W="$URL/runtime/webhooks/durabletask"

# median "<numbers separated by spaces>"
median() { printf '%s\n' "$1" | tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# timings <url>: RUNS request times in ms
timings() {
	_t=""
	for _r in $(seq "$RUNS"); do
		_t="$_t $(curl -s -o /dev/null -w '%{time_total}' "$1" | awk '{ printf "%.2f", $1 * 1000 }')"
	done
	echo "$_t"
}

echo "machine: $(nproc) cores, $(sed -n 's/^model name\t*: //p' /proc/cpuinfo | head -1)"
# --- 1. instances and counts
t0=$(date +%s.%N)
timeout 120 curl -s --parallel --parallel-max 64 -X POST -o /dev/null \
	"$W/orchestrators/wh_noop/D-[000000-$(printf '%06d' $((N_INSTANCES - 1)))]" >/dev/null 2>&1 || true
i=0
until [ "$(curl -s "$URL/admin/durable/counts" | jq '.counts.Completed')" -ge "$N_INSTANCES" ] || [ $i -ge 600 ]; do
	sleep 0.2
	i=$((i + 1))
done
t1=$(date +%s.%N)
echo "instances: $(curl -s "$URL/admin/durable/counts" | jq -c .) in $(echo "$t1 - $t0" | bc) s"
c=$(timings "$URL/admin/durable/counts")
p=$(timings "$URL/admin/host/ping")
l=$(timings "$W/instances?top=100")
echo "counts ms:$c (median $(median "$c"))"
echo "ping ms:$p (median $(median "$p"))"
echo "listing top=100 ms:$l (median $(median "$l"))"
echo "counts/ping: $(echo "scale=2; $(median "$c") / $(median "$p")" | bc)"

# --- 1b. the sorted listing at every depth, each order
# pct <p> "<numbers>": the p-th percentile, nearest rank
pct() { printf '%s\n' "$2" | tr ' ' '\n' | sed '/^$/d' | sort -n | awk -v p="$1" '{ a[NR] = $1 } END { r = int((p * NR + 99) / 100); if (r < 1) r = 1; print a[r] }'; }
# walk <url with query>: follows the continuation tokens in pages of 1000;
# prints "<page ms ...>|<rows>"
walk() {
	_tok=""
	_t=""
	_rows=0
	_hdr="$B/walk.hdr"
	while :; do
		_t="$_t $(curl -s -D "$_hdr" -o "$B/walk.json" -w '%{time_total}' -H "x-ms-continuation-token: $_tok" "$1&top=1000" | awk '{ printf "%.2f", $1 * 1000 }')"
		_rows=$((_rows + $(jq length "$B/walk.json")))
		_tok=$(sed -n 's/^x-ms-continuation-token: *//Ip' "$_hdr" | tr -d '\r')
		[ -n "$_tok" ] || break
	done
	echo "$_t|$_rows"
}
w=$(walk "$W/instances?x=1")
echo "GET instances, walked by 1000: ${w#*|} rows, page ms p50 $(pct 50 "${w%|*}") p99 $(pct 99 "${w%|*}")"
for sort in id created updated name status; do
	for order in asc desc; do
		w=$(walk "$URL/admin/durable/instances?sort=$sort&order=$order")
		f=$(timings "$URL/admin/durable/instances?sort=$sort&order=$order&top=25")
		n=$(timings "$URL/admin/durable/instances?sort=$sort&order=$order&top=25&name=fan_out")
		echo "sorted $sort $order: walked by 1000: ${w#*|} rows, page ms p50 $(pct 50 "${w%|*}") p99 $(pct 99 "${w%|*}"); first 25 ms p50 $(pct 50 "$f") p99 $(pct 99 "$f"); name=fan_out (none match) ms p50 $(pct 50 "$n") p99 $(pct 99 "$n")"
	done
done

# --- 2. a big history
BIG=$(curl -s -X POST -H 'Content-Type: application/json' -d "{\"count\": $FAN}" "$W/orchestrators/fan_out_fan_in" | jq -r .id)
i=0
until [ "$(curl -s "$W/instances/$BIG" | jq -r .runtimeStatus)" = Completed ] || [ $i -ge 600 ]; do sleep 0.2; i=$((i + 1)); done
h=$(timings "$URL/admin/durable/history?instanceId=$BIG")
s=$(timings "$W/instances/$BIG?showHistory=true&showHistoryOutput=true")
echo "big instance: $(curl -s "$URL/admin/durable/history?instanceId=$BIG&top=0" | jq -c '{totalEvents}') events, $(curl -s "$URL/admin/durable/history?instanceId=$BIG" | wc -c) bytes"
echo "history ms:$h (median $(median "$h"))"
echo "showHistory ms:$s (median $(median "$s"))"
echo "history/showHistory: $(echo "scale=2; $(median "$h") / $(median "$s")" | bc)"

# --- 3. in the browser
BASE="$URL" BIG="$BIG" RUNS=5 CFUNC_DASHBOARD_MODULES="$BD/dashboard-tests/node_modules" \
	node bench/dashboard_open.mjs
kill "$pid"
wait "$pid" || true
pid=""
