#!/bin/sh
# workers_durable.sh - with --worker-processes, app code's durable-client
# calls go to the host and behave as in process: an HTTP starter answers
# the check-status 202, events are raised, status is read, errors keep
# their codes and messages, and the activities run in the workers.
. "$CFUNC_ROOT/tests/lib.sh"
. "$CFUNC_ROOT/tests/lib_workers.sh"

# "workers": 2 -> 2 HTTP threads and 2 call workers per app: parallel
# starters can hold every call worker while they wait for their commits.
workers_root 2 - "$ABI/testapp.so" "$CFUNC_BUILD/samples/durable_hello.so"
start_workers_host

code=$(curl -s -D "$T_DIR/h" -o "$BODY_FILE" -w '%{http_code}' -X POST -d '{}' \
	"$BASE/api/orchestrators/hello_sequence")
is "$code" 202 "an HTTP starter in a worker answers 202"
id=$(jq -r .id "$BODY_FILE")
like "$(grep -i '^Location:' "$T_DIR/h")" "/runtime/webhooks/durabletask/instances/$id" \
	"with the check-status Location header"
is "$(jq -r '.statusQueryGetUri | test("instances/'"$id"'")' "$BODY_FILE")" true \
	"and the check-status body"
wait_for "$id" '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -c .output)" '["Hello Tokyo!","Hello Seattle!","Hello London!"]' \
	"the orchestration completes, its activities run in workers"

is "$(http -X POST -d '"x"' "$BASE/api/test/start/test_waiter/w1")" 202 "start with an id"
is "$(body)" w1 "the id comes back"
is "$(http -X POST -d '"x"' "$BASE/api/test/start/test_waiter/w1")" 409 \
	"starting the same running id again: CF_E_EXISTS, as in process"
is "$(http -X POST -d '"x"' "$BASE/api/test/start/no_such_orch")" 400 "an unknown orchestrator is refused"
like "$(body)" "no_such_orch" "with the host's message naming it"
is "$(http -X POST -d '{"v":42}' "$BASE/api/test/raise/w1/Go")" 202 "raise an event through the host"
wait_for w1 '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -c .output)" '{"v":42}' "the waiter got the event data"
is "$(http "$BASE/api/test/status/w1")" 200 "status read from a worker"
is "$(jq -r .runtimeStatus "$BODY_FILE")" Completed "with the instance's status"
is "$(http -X POST -d '1' "$BASE/api/test/raise/nope/Go")" 404 "raise to an unknown instance: 404 as in process"

# More starters at once than call workers: each holds its worker until its
# start committed, and the engine runs the episodes on its own worker.
seq 1 8 | xargs -P 8 -I{} curl -s -o /dev/null -w '%{http_code}\n' --max-time 15 \
	-X POST -d '"p"' "$BASE/api/test/start/test_orchestrator/par{}" >"$T_DIR/par"
is "$(sort "$T_DIR/par" | uniq -c | tr -s ' ')" " 8 202" "8 parallel starters on 2 call workers: all 202, no deadlock"
done8=0
for k in 1 2 3 4 5 6 7 8; do wait_for "par$k" '.runtimeStatus == "Completed"' && done8=$((done8 + 1)); done
is "$done8" 8 "and all 8 complete"

pids=$(pgrep -P "$HOST_PID" | wc -l | tr -d ' ')
ok "$([ "$pids" -ge 2 ]; echo $?)" "the apps run in $pids worker processes"
stop_host TERM
is "$HOST_RC" 0 "the host stops cleanly"
done_testing
