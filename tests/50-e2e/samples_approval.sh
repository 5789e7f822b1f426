#!/bin/sh
# samples/approval end to end: the ApprovalEvent against a timeout, the
# cancelled timer, buffered and case-insensitive events, bad input.
. "$(dirname "$0")/../lib.sh"
S="$CFUNC_BUILD/samples"
root="$T_DIR/app"
make_root "$root" "[\"$S/durable_hello.so\", \"$S/approval.so\"]"
start_host "$root"
ok $? "host starts"

MGMT="$BASE/runtime/webhooks/durabletask/instances"
# raise <id> <event> <data>: sets CODE.
raise() {
	CODE=$(http -X POST -H 'Content-Type: application/json' -d "$3" "$MGMT/$1/raiseEvent/$2")
}
# The approval request has been sent: the orchestrator now waits.
SENT='[.historyEvents[] | select(.EventType == "TaskCompleted" and .FunctionName == "send_approval_request")] | length == 1'

# --- nobody answers: the timer wins
orch_start approval_workflow '{"timeout_seconds": 0.3}'
is "$CODE" "202" "start with a 0.3 s timeout"
wait_for "$ID" '.runtimeStatus == "Completed"'
ok $? "completes without an answer"
is "$(printf '%s' "$ST" | jq -c .output)" '"Timed out"' "Timed out"

# --- approved: the event wins long before the 60 s timer, which is cancelled
orch_start approval_workflow '{"timeout_seconds": 60}'
wait_for "$ID" "$SENT" '?showHistory=true'
ok $? "the approval request was sent"
is "$(printf '%s' "$ST" | jq -r .runtimeStatus)" "Running" "Running while it waits"
raise "$ID" ApprovalEvent true
is "$CODE" "202" "raise ApprovalEvent true"
wait_for "$ID" '.runtimeStatus == "Completed"'
ok $? "completes at once: the cancelled timer does not hold it open"
is "$(printf '%s' "$ST" | jq -c .output)" '"Approved"' "Approved"

orch_start approval_workflow '{"timeout_seconds": 60}'
wait_for "$ID" "$SENT" '?showHistory=true'
raise "$ID" ApprovalEvent false
wait_for "$ID" '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -c .output)" '"Rejected"' "false rejects"

orch_start approval_workflow '{"timeout_seconds": 60}'
wait_for "$ID" "$SENT" '?showHistory=true'
raise "$ID" approvalevent '{"approved": true}'
wait_for "$ID" '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -c .output)" '"Approved"' "{\"approved\": true} approves; event names are case-insensitive"

orch_start approval_workflow '{"timeout_seconds": 60}'
wait_for "$ID" "$SENT" '?showHistory=true'
raise "$ID" ApprovalEvent '"yes"'
wait_for "$ID" '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -c .output)" '"Rejected"' "anything but true rejects"

# Raised before the orchestrator waits for it: buffered, then taken at once.
orch_start approval_workflow '{"timeout_seconds": 60}'
raise "$ID" ApprovalEvent true
is "$CODE" "202" "raise right after the start"
wait_for "$ID" '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -c .output)" '"Approved"' "the early event is not lost"

# Another event name does not count.
orch_start approval_workflow '{"timeout_seconds": 0.5}'
wait_for "$ID" "$SENT" '?showHistory=true'
raise "$ID" SomethingElse true
wait_for "$ID" '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -c .output)" '"Timed out"' "other events are ignored"
raise "$ID" ApprovalEvent true
is "$CODE" "410" "too late to answer a finished instance"

# --- bad input
orch_start approval_workflow '{"timeout_seconds": "soon"}'
is "$CODE" "202" "a bad timeout is accepted by the starter"
wait_for "$ID" '.runtimeStatus == "Failed"'
like "$(printf '%s' "$ST" | jq -r .output)" "timeout_seconds must be a number" "and fails the orchestration"
orch_start approval_workflow 'not json'
is "$CODE" "400" "non-JSON body is 400"

done_testing
