#!/bin/sh
# bench/ab_mixed.sh <tree A> <tree B> - the latency of a fast HTTP call
# while slow ones (50 ms) run beside it, with worker processes, on two
# built cfunc trees, alternating A then B each round. Calls queued behind
# one another go to a worker together (host/http/worker_batch.c): a fast
# call batched ahead of a slow one must answer in its own time, not the
# slow call's. Not a test. Loopback only; each round is bounded by
# DURATION. A tree is a checkout where `make all tests` has built
# build/cfunc and build/tests/20-abi/crashy.so.
#   ROUNDS=3 DURATION=5 THREADS=1 sh bench/ab_mixed.sh <tree A> <tree B>
set -eu
A=$1
B=$2
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
PA=${PORT_A:-7385}
PB=${PORT_B:-7386}
pids=""
roots=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	for r in $roots; do rm -rf "$r"; done
}
trap cleanup EXIT
start() { # start <tree> <port>
	r=$(mktemp -d /tmp/cfunc-abmix.XXXXXX)
	roots="$roots $r"
	# THREADS HTTP threads (cfunc.workers, 1 by default; two worker
	# processes): the clients keep a queue, so calls go to a worker in
	# batches of up to 8.
	printf '{ "version": "2.0", "logging": { "logLevel": { "default": "Warning" } },
  "cfunc": { "apps": ["%s/build/tests/20-abi/crashy.so"], "workers": %s } }\n' "$1" "${THREADS:-1}" >"$r/host.json"
	(cd "$r" && exec "$1/build/cfunc" start --port "$2") >/dev/null 2>&1 &
	pids="$pids $!"
	i=0
	until curl -s -o /dev/null "http://127.0.0.1:$2/api/ok" || [ $i -ge 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
}
start "$A" "$PA"
start "$B" "$PB"
# round <port>: "<fast p50> <fast p90> <slow p50>" (ms) of PAIRS pairs, each
# a fast call (/api/ok) and a slow one (/api/sleep?ms=50) sent at once,
# while SLOW_CONNS clients keep the HTTP thread busy with 20 ms calls (so
# that the pair queues and goes to a worker in one batch).
PAIRS=${PAIRS:-100}
round() {
	wrk -t1 -c"${SLOW_CONNS:-2}" -d"${DURATION}s" "http://127.0.0.1:$1/api/sleep?ms=20" >/dev/null &
	bg=$!
	out=$(mktemp /tmp/cfunc-abmix-t.XXXXXX)
	i=0
	while [ "$i" -lt "$PAIRS" ]; do
		curl -s -o /dev/null -w 'fast %{time_total}\n' --max-time 10 "http://127.0.0.1:$1/api/ok" >>"$out" &
		f=$!
		curl -s -o /dev/null -w 'slow %{time_total}\n' --max-time 10 "http://127.0.0.1:$1/api/sleep?ms=50" >>"$out" &
		wait "$f" "$!"
		i=$((i + 1))
	done
	kill "$bg" 2>/dev/null || true
	wait "$bg" 2>/dev/null || true
	for k in fast slow; do
		awk -v k="$k" '$1 == k { print $2 * 1000 }' "$out" | sort -n |
			awk '{ v[NR] = $1 } END { printf "%.1f %.1f ", v[int(NR * 0.5 + 0.5)], v[int(NR * 0.9 + 0.5)] }'
	done
	rm -f "$out"
	echo
}
echo "| round | A fast p50 | A fast p90 | A slow p50 | A slow p90 | B fast p50 | B fast p90 | B slow p50 | B slow p90 |"
echo "|---|---|---|---|---|---|---|---|---|"
r=1
while [ "$r" -le "$ROUNDS" ]; do
	a=$(round "$PA")
	b=$(round "$PB")
	echo "| $r | $(echo "$a" | sed 's/ *$//; s/ / | /g') | $(echo "$b" | sed 's/ *$//; s/ / | /g') |"
	r=$((r + 1))
done
