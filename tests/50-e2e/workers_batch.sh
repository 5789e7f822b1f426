#!/bin/sh
# workers_batch.sh - calls queued behind one another go to a worker
# process together (HTTP calls, activity attempts): in a burst larger than
# the workers, every call gets its own answer; a call that crashes its
# worker costs only itself (those queued behind it in the same worker run
# on another one and succeed); durable-client calls made by a function
# while others wait behind it in its worker are answered, and those starts
# complete; in a fan-out of 200 activities one that aborts its worker is
# retried and the others each run once.
. "$CFUNC_ROOT/tests/lib.sh"
. "$CFUNC_ROOT/tests/lib_workers.sh"

# "workers": 2 -> 2 HTTP threads and 2 call workers per app (+2 for
# episodes), so a burst of 40 queues; crash-loop bound 12 deaths, this test
# causes 4.
workers_root 2 - "$ABI/crashy.so" "$ABI/testapp.so"
start_workers_host

# 36 calls of /api/ok and 4 crashes, all at once; one answer file each.
{
	seq 1 36 | sed 's|.*|ok|'
	seq 1 4 | sed 's|.*|crash/segv|'
} | sort -R | awk '{ print NR, $0 }' >"$T_DIR/urls"
mkdir -p "$T_DIR/ans"
# shellcheck disable=SC2016 # expanded by the inner sh, per line
xargs -P 20 -L 1 sh -c 'curl -s --max-time 20 -o "$1/ans/$2.body" -w "%{http_code} $3" "$0/api/$3" >"$1/ans/$2"' \
	"$BASE" "$T_DIR" <"$T_DIR/urls"
for f in "$T_DIR"/ans/*.body; do
	printf '%s %s\n' "$(cat "${f%.body}")" "$(cat "$f")"
done >"$T_DIR/answers"
is "$(grep -c '^[0-9]* ok ' "$T_DIR/answers")" 36 "36 answers for the 36 calls of ok"
is "$(grep -c '^200 ok ok$' "$T_DIR/answers")" 36 "each of them 200 with its body"
is "$(grep '^500 crash/segv ' "$T_DIR/answers" | grep -c '"signal":"SIGSEGV"')" 4 \
	"each of the 4 crashes gets its own 500 naming SIGSEGV"
# A death's line is written once its replacement is ready, just after its
# 500: wait for the fourth (bounded).
_i=0
while [ "$(grep -c "died (SIGSEGV) while running 'crash'" "$HOST_LOG")" -lt 4 ] && [ $_i -lt 200 ]; do
	sleep 0.05
	_i=$((_i + 1))
done
is "$(grep -c "died (SIGSEGV) while running 'crash'" "$HOST_LOG")" 4 \
	"the console blames the crash function 4 times"
is "$(grep -c "while running 'ok'" "$HOST_LOG")" 0 "and never a call queued behind it"

# Starters whose durable-client call is answered while others wait behind
# them in the same worker.
seq 1 16 | xargs -P 16 -I{} curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 \
	-X POST -d '"b"' "$BASE/api/test/start/test_orchestrator/batch{}" >"$T_DIR/starts"
is "$(sort "$T_DIR/starts" | uniq -c | tr -s ' ')" " 16 202" "16 parallel starters on 2 workers: all 202"
done16=0
for k in $(seq 1 16); do wait_for "batch$k" '.runtimeStatus == "Completed"' && done16=$((done16 + 1)); done
is "$done16" 16 "and all 16 complete"
# 200 activities at once, and one that aborts its worker on its first
# attempt.
d() { (cd "$R" && "$CFUNC" durable "$@"); }
is "$(http -X POST -d '200' "$BASE/api/test/start/crashy_fan/fan1")" 202 "a fan-out of 201 activities starts"
wait_for fan1 '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -c '.output | [length, (map(select(. == "fine")) | length)]')" '[201,201]' \
	"it completes with the 201 results, the aborted one's retry included"
is "$(grep -c "died (SIGABRT) while running 'crashy_activity (instance fan1)'" "$HOST_LOG")" 1 \
	"the console blames one attempt for the one abort"
is "$(grep -c "fan1: Function 'crashy_activity (Activity)' started" "$HOST_LOG")" 202 \
	"202 attempts started: the 200, and the aborting one twice"
is "$(grep -c "fan1: Function 'crashy_activity (Activity)' completed" "$HOST_LOG")" 201 \
	"201 completed: none ran twice"
is "$(http "$BASE/api/ok")" 200 "the host keeps serving"
stop_host TERM
is "$HOST_RC" 0 "the host stops cleanly"
done_testing
