#!/bin/sh
# samples/retry end to end: retries with backoff, compensation after the
# last attempt, and an attempt count that survives a host crash.
. "$(dirname "$0")/../lib.sh"
S="$CFUNC_BUILD/samples"
root="$T_DIR/app"
state="$T_DIR/state"
make_root "$root" "[\"$S/durable_hello.so\", \"$S/retry.so\"]"
cat >"$root/local.settings.json" <<JSON
{ "IsEncrypted": false, "Values": { "CFUNC_SAMPLE_STATE_DIR": "$state/counts" } }
JSON
start_host "$root"
ok $? "host starts"

ms() { echo $(($(date +%s%N) / 1000000)); }
count() { # count <jq event filter>: events of that kind in $ST's history
	printf '%s' "$ST" | jq "[.historyEvents[] | select($1)] | length"
}

# --- two failures, then success on the third attempt
t0=$(ms)
orch_start workflow_with_retry '{"fail_times": 2, "first_retry_interval_seconds": 0.2}'
is "$CODE" "202" "start: fail twice, retry after 0.2 s"
wait_for "$ID" '.runtimeStatus == "Completed"' '?showHistory=true&showHistoryOutput=true'
ok $? "completes"
elapsed=$(($(ms) - t0))
is "$(printf '%s' "$ST" | jq -c .output)" '{"status":"succeeded","attempt":3}' "the service's result from attempt 3"
is "$(printf '%s' "$ST" | jq -c .customStatus)" "null" "no error in the custom status"
is "$(count '.EventType == "TaskFailed"')" "2" "two failed attempts in the history"
like "$(printf '%s' "$ST" | jq -r '[.historyEvents[] | select(.EventType == "TaskFailed")][0].Reason')" "simulated failure 1 of 2" "with the service's message"
ok "$([ "$elapsed" -ge 600 ]; echo $?)" "backoff 2.0: waited 0.2 s + 0.4 s at least (${elapsed} ms)"
is "$(count '.EventType == "TaskCompleted" and .FunctionName == "compensation_activity"')" "0" "no compensation"
is "$(find "$state/counts" -type f | wc -l | tr -d ' ')" "1" "attempts counted in a file under CFUNC_SAMPLE_STATE_DIR"

orch_start workflow_with_retry '{"fail_times": 0, "first_retry_interval_seconds": 0.1}'
wait_for "$ID" '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -c .output)" '{"status":"succeeded","attempt":1}' "no failure: first attempt"

# --- every attempt fails: custom status, compensation, "Compensated"
orch_start workflow_with_retry '{"fail_times": 3, "first_retry_interval_seconds": 0.05}'
wait_for "$ID" '.runtimeStatus == "Completed"' '?showHistory=true'
ok $? "completes after three failures"
is "$(printf '%s' "$ST" | jq -c .output)" '"Compensated"' "Compensated"
like "$(printf '%s' "$ST" | jq -r .customStatus.error)" "^Activity function 'unreliable_service' failed: .*simulated failure 3 of 3" "custom status {error} says why"
is "$(count '.EventType == "TaskFailed"')" "3" "max 3 attempts"
is "$(count '.EventType == "TaskCompleted" and .FunctionName == "compensation_activity"')" "1" "compensation ran once"

# --- the count is durable: kill the host between attempts, it carries on
orch_start workflow_with_retry '{"fail_times": 2, "first_retry_interval_seconds": 0.5}'
wait_for "$ID" '[.historyEvents[] | select(.EventType == "TaskFailed")] | length >= 1' '?showHistory=true'
ok $? "an attempt failed"
stop_host KILL
start_host "$root"
ok $? "host restarts on the same root"
wait_for "$ID" '.runtimeStatus == "Completed"'
ok $? "the instance completes after the crash"
is "$(printf '%s' "$ST" | jq -c .output)" '{"status":"succeeded","attempt":3}' "attempt 3 succeeds: the count was not reset"

# --- bad input
orch_start workflow_with_retry '{"first_retry_interval_seconds": 0}'
wait_for "$ID" '.runtimeStatus == "Failed"'
like "$(printf '%s' "$ST" | jq -r .output)" "first_retry_interval_seconds must be from 0.001 to 3600" "a zero interval fails the orchestration"
orch_start workflow_with_retry '{"fail_times": "x", "first_retry_interval_seconds": 0.05}'
wait_for "$ID" '.runtimeStatus == "Completed"' '?showHistory=true'
is "$(printf '%s' "$ST" | jq -c .output)" '"Compensated"' "a bad fail_times fails every attempt"
like "$(printf '%s' "$ST" | jq -r .customStatus.error)" "fail_times must be a number" "and says why"
orch_start workflow_with_retry '{"fail_times": 1'
is "$CODE" "400" "non-JSON body is 400"

done_testing
