#!/bin/sh
# bench/ab_http.sh <tree A> <tree B> - requests/s of /api/hello (the
# hello_http sample) on two built cfunc trees, alternating A then B each
# round with the same wrk command, and the ratio B/A: for checking that a
# change costs nothing on the HTTP path. Not a test. Loopback only; each wrk
# run is bounded by DURATION. A tree is a checkout where `make` has built
# build/cfunc and build/samples/hello_http.so.
set -eu
A=$1
B=$2
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
pids=""
roots=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	for r in $roots; do rm -rf "$r"; done
}
trap cleanup EXIT
start() { # start <tree> <port>
	r=$(mktemp -d /tmp/cfunc-ab.XXXXXX)
	roots="$roots $r"
	printf '{ "version": "2.0", "cfunc": { "apps": ["%s/build/samples/hello_http.so"] } }\n' "$1" >"$r/host.json"
	(cd "$r" && exec "$1/build/cfunc" start --port "$2") >/dev/null 2>&1 &
	pids="$pids $!"
	i=0
	until curl -s -o /dev/null "http://127.0.0.1:$2/api/hello?name=bench" || [ $i -ge 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
}
start "$A" 7195
start "$B" 7196
rps() { wrk -t1 -c64 -d"${DURATION}s" "http://127.0.0.1:$1/api/hello?name=bench" | awk '/Requests\/sec/ { print $2 }'; }
echo "| round | A req/s | B req/s | B/A |"
echo "|---|---|---|---|"
r=1
while [ "$r" -le "$ROUNDS" ]; do
	a=$(rps 7195)
	b=$(rps 7196)
	echo "| $r | $a | $b | $(echo "$b $a" | awk '{ printf "%.2f", $1 / $2 }') |"
	r=$((r + 1))
done
