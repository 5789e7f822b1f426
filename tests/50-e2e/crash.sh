#!/bin/sh
# Crash safety: kill -9 the host at random moments while orchestrations are
# being started, run and raised; restart it; in the end every start and
# raise that got a 202 must have completed with the right output, and every
# activity result must be recorded exactly once in the history.
#
#   CRASH_ROUNDS (default 4) rounds of CRASH_STARTS (default 40) starts;
#   `make crash-long` runs 30 rounds of 200.
. "$(dirname "$0")/../lib.sh"
ROUNDS=${CRASH_ROUNDS:-4}
N=${CRASH_STARTS:-40}
ABI="$CFUNC_BUILD/tests/20-abi"
root="$T_DIR/crash"
make_root "$root" "[\"$ABI/testapp.so\", \"$CFUNC_BUILD/samples/durable_hello.so\"]"
ACKED="$T_DIR/acked"       # "<kind> <id>" for every start answered 202
RAISED="$T_DIR/raised"     # "<id>" for every raise answered 202
: >"$ACKED"
: >"$RAISED"

rand_ms() { # a random number in [0, $1)
	echo $(($(od -An -N2 -tu2 /dev/urandom) % $1))
}

# start_batch <kind> <orchestrator> <count>: parallel starts, acks appended.
start_batch() {
	# shellcheck disable=SC2016 # the script expands $0..$3, given after it
	seq 1 "$3" | xargs -P 8 -I{} sh -c '
		out=$(curl -s --max-time 10 -w " %{http_code}" -X POST \
			-d "{\"n\":{}}" "$0/api/test/start/$1")
		case "$out" in *" 202") echo "$2 ${out% 202}" >>"$3" ;; esac
	' "$BASE" "$2" "$1" "$ACKED"
}

# raise_pending: raise "Go" (data = the id) to waiters not yet acknowledged.
raise_pending() {
	# shellcheck disable=SC2016 # the script expands $0 and $1, given after it
	awk '$1 == "wait" { print $2 }' "$ACKED" | while read -r id; do
		grep -qx "$id" "$RAISED" && continue
		echo "$id"
	done | xargs -P 8 -I{} sh -c '
		code=$(curl -s --max-time 10 -o /dev/null -w "%{http_code}" -X POST \
			-d "\"{}\"" "$0/api/test/raise/{}/Go")
		# 410: an earlier raise whose answer was lost did commit and
		# the waiter already finished.
		case "$code" in 202 | 410) echo "{}" >>"$1" ;; esac
	' "$BASE" "$RAISED"
}

r=1
while [ "$r" -le "$ROUNDS" ]; do
	start_host "$root" || { ok 1 "host starts in round $r"; break; }
	killer_ms=$((50 + $(rand_ms 450)))
	(
		sleep "$(awk "BEGIN { print $killer_ms / 1000 }")"
		kill -9 "$HOST_PID" 2>/dev/null
	) &
	killer=$!
	start_batch hello hello_sequence "$N" &
	s1=$!
	start_batch wait test_waiter $((N / 4)) &
	s2=$!
	raise_pending &
	s3=$!
	wait $s1 $s2 $s3
	wait $killer
	kill -9 "$HOST_PID" 2>/dev/null
	wait "$HOST_PID" 2>/dev/null
	HOST_PID=""
	echo "# round $r: killed after ${killer_ms}ms; $(wc -l <"$ACKED") starts and $(wc -l <"$RAISED") raises acknowledged so far"
	r=$((r + 1))
done

start_host "$root"
ok $? "host restarts after the last kill"
raise_pending
total=$(wc -l <"$ACKED")
ok "$([ "$total" -gt 0 ]; echo $?)" "some starts were acknowledged ($total)"

# Wait (bounded) until every acknowledged instance is terminal.
deadline=$(($(date +%s) + 60))
pending=$total
while [ "$pending" -gt 0 ] && [ "$(date +%s)" -lt "$deadline" ]; do
	pending=0
	while read -r kind id; do
		s=$(curl -s "$BASE/api/test/status/$id" | jq -r .runtimeStatus 2>/dev/null)
		case "$s" in Completed | Failed | Terminated) ;; *) pending=$((pending + 1)) ;; esac
	done <"$ACKED"
	[ "$pending" -gt 0 ] && sleep 0.2
done
is "$pending" "0" "every acknowledged instance reached a terminal state"

bad=0
hello_out='["Hello Tokyo!","Hello Seattle!","Hello London!"]'
while read -r kind id; do
	line=$(curl -s "$BASE/api/test/status/$id" | jq -r '[.runtimeStatus, (.output|tojson),
		([.historyEvents[] | select(.EventType == "TaskCompleted")] | length),
		([.historyEvents[] | select(.EventType == "TaskScheduled" or .EventType == "TaskFailed")] | length)] | @tsv')
	status=$(echo "$line" | cut -f1)
	output=$(echo "$line" | cut -f2)
	done_n=$(echo "$line" | cut -f3)
	open_n=$(echo "$line" | cut -f4)
	if [ "$kind" = hello ]; then
		want_out=$hello_out
		want_n=3
	else
		want_out="\"$id\""
		want_n=1
	fi
	if [ "$status" != Completed ] || [ "$output" != "$want_out" ] || [ "$done_n" != "$want_n" ] || [ "$open_n" != 0 ]; then
		bad=$((bad + 1))
		echo "# $kind $id: status=$status output=$output completed=$done_n open=$open_n"
	fi
done <"$ACKED"
is "$bad" "0" "every acknowledged instance Completed with the right output and each activity result recorded once"
waiters=$(awk '$1 == "wait"' "$ACKED" | wc -l)
is "$(wc -l <"$RAISED")" "$waiters" "every waiter's raise was acknowledged once"
stop_host
is "$HOST_RC" "0" "clean shutdown after recovery"
done_testing
