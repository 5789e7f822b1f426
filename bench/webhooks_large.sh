#!/bin/sh
# bench/webhooks_large.sh - what one large instance costs the management API.
# Not a test; figures go into BENCHMARKS.md. One host on loopback serves the
# test apps webhook_app and webhook_big_app (compiled here) with:
#   - SMALL small instances (wh_noop, input {"i":n});
#   - one instance whose input (and so output) is a JSON array of about
#     BIG_MB megabytes (wh_noop returns its input);
#   - one wh_many instance with MANY activities (about 2 x MANY events).
# Then, each ROUNDS times: the time of GET .../instances?top=100 (the whole
# listing, page after page) and of GET .../instances/{id}?showHistory=true&
# showHistoryOutput=true of the two large instances, and the host's peak RSS
# during each request (VmHWM, reset through /proc/PID/clear_refs before it).
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
BIG_MB=${BIG_MB:-10}
MANY=${MANY:-5000}
SMALL=${SMALL:-200}
ROUNDS=${ROUNDS:-3}
BUILD=${BUILD:-build}
TOP=$(pwd)
case $BUILD in /*) BD=$BUILD ;; *) BD=$TOP/$BUILD ;; esac
B=$BD/bench
mkdir -p "$B"
make -s BUILD="$BUILD" host >/dev/null
for app in webhook_app webhook_big_app; do
	cc -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -fPIC -fvisibility=hidden \
		-shared -o "$B/$app.so" "tests/20-abi/$app.c"
done

root=$(mktemp -d /tmp/cfunc-bench.XXXXXX)
pid=""
trap bench_cleanup EXIT
cat >"$root/host.json" <<JSON
{ "version": "2.0",
  "logging": { "logLevel": { "Function": "Warning" } },
  "cfunc": { "apps": ["$B/webhook_app.so", "$B/webhook_big_app.so"] } }
JSON
bench_host_start "$root" "$BD/cfunc"
W="$H/runtime/webhooks/durabletask"

# A JSON array of small numbers: the shape that costs a JSON tree the most.
awk -v mb="$BIG_MB" 'BEGIN { n = mb * 1048576 / 7; printf "["; for (i = 0; i < n; i++) printf "%s%d", (i ? "," : ""), 100000 + i % 900000; printf "]" }' >"$root/big.json"
wait_done() { # wait_done <id>: polls until Completed, at most 60 s
	i=0
	while [ $i -lt 600 ]; do
		[ "$(curl -s "$W/instances/$1?showInput=false" | jq -r .runtimeStatus)" = Completed ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "instance $1 did not complete" >&2
	exit 1
}
n=0
while [ $n -lt "$SMALL" ]; do
	curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d "{\"i\":$n}" "$W/orchestrators/wh_noop/small-$n"
	n=$((n + 1))
done
curl -s -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary @"$root/big.json" "$W/orchestrators/wh_noop/big"
curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d "$MANY" "$W/orchestrators/wh_many/many"
wait_done big
wait_done many
wait_done "small-$((SMALL - 1))"

# measure <label> <curl args...>: seconds and peak RSS of one request.
measure() {
	label=$1
	shift
	echo 5 >"/proc/$pid/clear_refs"
	t=$(curl -s -o "$root/out" -w '%{time_total}' "$@")
	hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
	rss=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
	printf '| %s | %s | %.2f | %d | %d |\n' "$label" "$r" "$t" $((hwm / 1024)) $((rss / 1024))
}
# list_all: every page of GET instances, following the token.
list_all() {
	echo 5 >"/proc/$pid/clear_refs"
	start=$(date +%s%N)
	tok=""
	pages=0
	items=0
	while :; do
		curl -s -D "$root/h" -o "$root/out" -H "x-ms-continuation-token: $tok" "$W/instances?top=100"
		pages=$((pages + 1))
		items=$((items + $(jq length "$root/out")))
		tok=$(tr -d '\r' <"$root/h" | awk 'tolower($0) ~ /^x-ms-continuation-token:/ { sub(/^[^:]*: ?/, ""); print }')
		[ -n "$tok" ] || break
	done
	ms=$((($(date +%s%N) - start) / 1000000))
	hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
	rss=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
	printf '| listing (%d items, %d pages) | %s | %.2f | %d | %d |\n' "$items" "$pages" "$r" \
		"$(echo "$ms" | awk '{ print $1 / 1000 }')" $((hwm / 1024)) $((rss / 1024))
}

echo "## One ${BIG_MB} MB input, one ${MANY}-activity history, $SMALL small instances"
echo
echo "| request | round | seconds | peak RSS MB | RSS after MB |"
echo "|---|---|---|---|---|"
r=1
while [ $r -le "$ROUNDS" ]; do
	list_all
	measure "status of big" "$W/instances/big"
	measure "status+history of big" "$W/instances/big?showHistory=true&showHistoryOutput=true"
	measure "status+history of many" "$W/instances/many?showHistory=true&showHistoryOutput=true"
	measure "history route of big" "$W/instances/big/history"
	measure "history route of many" "$W/instances/many/history"
	r=$((r + 1))
done
echo
echo "host: $(nproc) cores, $(uname -sr); big input $(wc -c <"$root/big.json") bytes"
