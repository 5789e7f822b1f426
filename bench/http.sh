#!/bin/sh
# bench/http.sh - requests/s of cfunc's /api/hello against a bare h2o server,
# measured in the same run with the same wrk command, and their ratio.
# Not a test: `make bench-http` runs it; figures go into BENCHMARKS.md.
# Loopback only; each wrk run is bounded by DURATION.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
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
pid=""
h2o_pid=""
cleanup() {
	[ -n "$h2o_pid" ] && kill "$h2o_pid" 2>/dev/null
	bench_cleanup
}
trap cleanup EXIT
cat >"$root/host.json" <<JSON
{ "version": "2.0",
  "logging": { "logLevel": { "Function": "${FUNCTION_LOG_LEVEL:-Information}" } },
  "cfunc": { "apps": ["$PWD/build/samples/hello_http.so"] } }
JSON
bench_host_start "$root" "$TOP/build/cfunc"
# The bare server takes its port on the command line.
H2O_PORT=${H2O_PORT:-7096}
"$B/h2o_hello" "$H2O_PORT" 2>/dev/null &
h2o_pid=$!
i=0
until curl -s -o /dev/null "http://127.0.0.1:$H2O_PORT/api/hello?name=bench" || [ $i -ge 100 ]; do sleep 0.05; i=$((i + 1)); done

bench_rounds cfunc "$H/api/hello?name=bench" "bare h2o" "http://127.0.0.1:$H2O_PORT/api/hello?name=bench"
echo
bench_machine
echo "command: wrk -t$THREADS -c$CONNS -d${DURATION}s http://127.0.0.1:PORT/api/hello?name=bench (FUNCTION_LOG_LEVEL=${FUNCTION_LOG_LEVEL:-Information})"
