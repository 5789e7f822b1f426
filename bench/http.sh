#!/bin/sh
# bench/http.sh - requests/s of cfunc's /api/hello against a bare h2o server,
# measured in the same run with the same wrk command, and their ratio.
# Not a test: `make bench-http` runs it; figures go into BENCHMARKS.md.
# Loopback only; each wrk run is bounded by DURATION.
set -eu
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
CONNS=${CONNS:-64}
THREADS=${THREADS:-1}
ROUNDS=${ROUNDS:-3}
TOP=$(pwd)
B=build/bench
mkdir -p "$B"
# shellcheck disable=SC2046 # pkg-config prints several flags, one word each
cc -O2 -std=c11 -D_GNU_SOURCE -DH2O_USE_LIBUV=0 -Wall -Wextra -Werror -o "$B/h2o_hello" bench/h2o_hello.c \
	$(pkg-config --cflags --libs libh2o-evloop) -lssl -lcrypto -lz -lpthread

root=$(mktemp -d /tmp/cfunc-bench.XXXXXX)
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$root"; }
trap cleanup EXIT
cat >"$root/host.json" <<JSON
{ "version": "2.0",
  "logging": { "logLevel": { "Function": "${FUNCTION_LOG_LEVEL:-Information}" } },
  "cfunc": { "apps": ["$PWD/build/samples/hello_http.so"] } }
JSON
(cd "$root" && exec "$TOP/build/cfunc" start --port 7095) >/dev/null 2>&1 &
pids="$pids $!"
"$B/h2o_hello" 7096 2>/dev/null &
pids="$pids $!"
for port in 7095 7096; do
	i=0
	until curl -s -o /dev/null "http://127.0.0.1:$port/api/hello?name=bench" || [ $i -ge 100 ]; do sleep 0.05; i=$((i + 1)); done
done

rps() { wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" "$1" | awk '/Requests\/sec/ { print $2 }'; }
echo "| round | cfunc req/s | bare h2o req/s | ratio |"
echo "|---|---|---|---|"
r=1
while [ $r -le "$ROUNDS" ]; do
	c=$(rps "http://127.0.0.1:7095/api/hello?name=bench")
	h=$(rps "http://127.0.0.1:7096/api/hello?name=bench")
	echo "| $r | $c | $h | $(echo "$c $h" | awk '{ printf "%.2f", $1 / $2 }') |"
	r=$((r + 1))
done
echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
echo "command: wrk -t$THREADS -c$CONNS -d${DURATION}s http://127.0.0.1:PORT/api/hello?name=bench (FUNCTION_LOG_LEVEL=${FUNCTION_LOG_LEVEL:-Information})"
