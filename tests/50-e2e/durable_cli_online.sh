#!/bin/sh
# durable_cli_online.sh - `cfunc durable` with a host running on the hub:
# every command goes through its management API (with the system key, the
# host checks keys here), and the host refuses nothing the API accepts.
. "$CFUNC_ROOT/tests/lib.sh"

R="$T_DIR/app"
mkdir -p "$R/apps"
cp "$CFUNC_BUILD/tests/20-abi/crash_orch.so" "$CFUNC_BUILD/samples/durable_hello.so" "$R/apps/"
make_root "$R" '["apps"]'
d() { (cd "$R" && "$CFUNC" durable "$@"); }

start_host "$R" --enableAuth
ok $? "host started with key checks"
ok "$([ -f "$R/.cfunc/TestHubName.db.host" ]; echo $?)" "the host wrote its listen file"
KEY=$(jq -r '.systemKeys[]? | select(.name=="durabletask_extension") | .value' "$R/.cfunc/secrets.json" 2>/dev/null)

out=$(d start-new --function-name hello_sequence --id seq1); rc=$?
is "$rc" 0 "start-new through the host"
like "$out" "^Started 'hello_sequence' at [0-9T:-]+Z\. Instance ID: 'seq1'\.$" "prints func's line with the created time"
is "$(d start-new --function-name hello_sequence --json | jq -r '.statusQueryGetUri' | grep -c '/runtime/webhooks/durabletask/instances/')" 1 \
	"--json gives the API's check-status payload"
out=$(d start-new --function-name no_such_orch 2>&1); rc=$?
ok "$([ $rc -ne 0 ]; echo $?)" "an unknown orchestrator fails"
like "$out" "no_such_orch" "and is named"

i=0
while [ "$(d get-runtime-status --id seq1 --json | jq -r .runtimeStatus)" != Completed ] && [ $i -lt 200 ]; do
	sleep 0.05; i=$((i + 1)); done
st=$(d get-runtime-status --id seq1 --show-output --json)
is "$(printf '%s' "$st" | jq -c .output)" '["Hello Tokyo!","Hello Seattle!","Hello London!"]' "status --show-output"
is "$(printf '%s' "$st" | jq 'has("input")')" false "no input without --show-input"
like "$(d get-runtime-status --id seq1)" "Runtime status +Completed" "status as a table"
is "$(d get-history --id seq1 --json | jq -r '.[0].EventType, .[1].EventType, .[-2].EventType, .[-1].EventType' | tr '\n' ' ')" \
	"OrchestratorStarted ExecutionStarted ExecutionCompleted OrchestratorCompleted " "get-history --json: the stored events, first to last"
is "$(d get-history --id seq1 --json | jq -c '[.[] | select(.EventType == "TaskCompleted") | .TaskScheduledId]')" \
	"[0,1,2]" "with the ids that tie each result to its call"
is "$(http "$BASE/runtime/webhooks/durabletask/instances/seq1/history")" "401" \
	"the history route it reads needs the key, like the rest of the API"
like "$(d get-history --id seq1)" "TaskCompleted +say_hello" "get-history as a table"
out=$(d get-runtime-status --id nope 2>&1); rc=$?
ok "$([ $rc -ne 0 ]; echo $?)" "status of an unknown id fails"
like "$out" "Could not find an orchestration instance with id 'nope'" "with func's message"

# raise, suspend, resume, terminate on waiting instances
d start-new --function-name wait_event --id w1 >/dev/null
d start-new --function-name wait_event --id w2 >/dev/null
is "$(d raise-event --id w1 --event-name go --event-data '{"v":1}')" "Raised event 'go' to instance 'w1'." "raise-event"
wait_for w1 '.runtimeStatus == "Completed"' "?code=$KEY"
is "$(printf '%s' "$ST" | jq -c .output)" '{"v":1}' "the event data reached the orchestrator"
out=$(d raise-event --id w1 --event-name go 2>&1); rc=$?; ok "$([ $rc -ne 0 ]; echo $?)" "raise to a completed instance fails"
d suspend --id w2 --reason nap >/dev/null; ok $? "suspend"
wait_for w2 '.runtimeStatus == "Suspended"' "?code=$KEY"; ok $? "w2 is Suspended"
out=$(d suspend --id w2 2>&1); rc=$?; ok "$([ $rc -ne 0 ]; echo $?)" "suspending a suspended instance fails"
d resume --id w2 >/dev/null; ok $? "resume"
wait_for w2 '.runtimeStatus == "Running"' "?code=$KEY"; ok $? "w2 is Running again"
is "$(d terminate --id w2 --reason enough)" "Successfully terminated 'w2'." "terminate waits for Terminated"
is "$(d get-runtime-status --id w2 --show-output --json | jq -r '.runtimeStatus + " " + .output')" \
	"Terminated enough" "w2 Terminated with the reason"
out=$(d rewind --id seq1 2>&1); rc=$?; ok "$([ $rc -ne 0 ]; echo $?)" "rewind of a completed instance fails"

# paging through the host's own tokens
for i in 1 2 3 4; do d start-new --function-name wait_event --id "q$i" >/dev/null; done
n=0; tok=""; seen=""
while [ $n -lt 10 ]; do
	n=$((n + 1))
	if [ -n "$tok" ]; then out=$(d get-instances --top 2 --runtime-status running --continuation-token "$tok")
	else out=$(d get-instances --top 2 --runtime-status running); fi
	seen="$seen $(printf '%s\n' "$out" | awk 'NR>1 && !/^Continuation/ && !/^No instances/ {print $1}' | tr '\n' ' ')"
	tok=$(printf '%s\n' "$out" | sed -n "s/^Continuation token for next set of results: '\(.*\)'$/\1/p")
	[ -n "$tok" ] || break
done
# shellcheck disable=SC2086,SC2116 # echo of the unquoted list squeezes its spaces
is "$(echo $seen)" "q1 q2 q3 q4" "get-instances pages with the host's continuation token"
is "$(d get-instances --json --runtime-status Terminated | jq -r '.[].instanceId')" "w2" "--json listing with a status filter"
# The date filters through the host: q1..q4's created times bound them.
q1=$(d get-runtime-status --id q1 --json | jq -r .createdTime)
is "$(d get-instances --json --created-before 2000-01-01T00:00:00Z | jq length)" 0 "--created-before through the host"
is "$(d get-instances --json --created-after "$q1" --runtime-status running | jq -r '[.[].instanceId] | sort | join(" ")')" \
	"q1 q2 q3 q4" "--created-after through the host (from q1's created time, inclusive)"
out=$(d get-instances --created-after yesterday 2>&1); rc=$?
is "$rc" 2 "a date that is not ISO 8601 is refused before the host is asked (exit 2)"

is "$(d purge-history --runtime-status completed)" "Instances deleted: 3" "purge-history through the host"
is "$(d purge-history --id w2)" "Instances deleted: 1" "purge one through the host"
out=$(d purge-history --id w2 2>&1); rc=$?; ok "$([ $rc -ne 0 ]; echo $?)" "purging it again fails"

out=$(d delete-task-hub --yes 2>&1); rc=$?
ok "$([ $rc -ne 0 ]; echo $?)" "delete-task-hub refuses while the host runs"
like "$out" "stop it first" "and says so"
ok "$([ -f "$R/.cfunc/TestHubName.db" ]; echo $?)" "the hub is still there"

stop_host
is "$(d get-instances --runtime-status running --json | jq length)" 4 "after the stop the same instances read offline"

done_testing
