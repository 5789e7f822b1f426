#!/bin/sh
# samples/monitor end to end: polling on a durable timer until the job is
# done or the deadline passes, the custom status while it polls, bad input.
. "$(dirname "$0")/../lib.sh"
S="$CFUNC_BUILD/samples"
root="$T_DIR/app"
make_root "$root" "[\"$S/durable_hello.so\", \"$S/monitor.so\"]"
start_host "$root"
ok $? "host starts"

count() { # count <jq event filter>: events of that kind in $ST's history
	printf '%s' "$ST" | jq "[.historyEvents[] | select($1)] | length"
}

# --- the job is ready at the third poll
orch_start monitor_job '{"job_id": "job-42", "poll_interval_seconds": 0.1, "expiry_seconds": 30, "ready_after_polls": 3}'
is "$CODE" "202" "start"
wait_for "$ID" '.runtimeStatus == "Completed"' '?showHistory=true'
ok $? "completes"
is "$(printf '%s' "$ST" | jq -c .output)" '{"job_id":"job-42","job_status":"Completed","polls":3}' "the job completed at the third poll"
is "$(printf '%s' "$ST" | jq -c .customStatus)" '{"job_id":"job-42","polls":3,"job_status":"Completed"}' "final custom status"
is "$(count '.EventType == "TaskCompleted" and .FunctionName == "check_job_status"')" "3" "three status checks"
is "$(count '.EventType == "TimerFired"')" "2" "two timers between them"
is "$(count '.EventType == "TaskCompleted" and .FunctionName == "send_job_alert"')" "1" "then it carried on: send_job_alert"

# --- never ready: polls while Running, then the deadline ends it
orch_start monitor_job '{"job_id": "job-43", "poll_interval_seconds": 0.2, "expiry_seconds": 2, "ready_after_polls": 1000}'
wait_for "$ID" '.runtimeStatus == "Running" and .customStatus.polls >= 1'
ok $? "polling"
is "$(printf '%s' "$ST" | jq -c '.customStatus | [.job_id, .job_status]')" '["job-43","Running"]' "custom status tells the job is not ready"
wait_for "$ID" '.runtimeStatus == "Completed"' '?showHistory=true'
ok $? "completes at the deadline"
is "$(printf '%s' "$ST" | jq -c '[.output.job_id, .output.job_status]')" '["job-43","Expired"]' "Expired"
is "$(printf '%s' "$ST" | jq '.output.polls >= 2 and .output.polls <= 11')" "true" "after 2 to 11 polls ($(printf '%s' "$ST" | jq .output.polls))"
is "$(count '.EventType == "TaskCompleted" and .FunctionName == "check_job_status"')" "$(printf '%s' "$ST" | jq .output.polls)" "one check per poll"
is "$(count '.EventType == "TaskCompleted" and .FunctionName == "send_job_alert"')" "0" "no alert"

orch_start monitor_job '{"job_id": "job-44", "poll_interval_seconds": 0.1, "ready_after_polls": 0}'
wait_for "$ID" '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -c .output)" '{"job_id":"job-44","job_status":"Completed","polls":1}' "ready at once: one poll"

# --- bad input
orch_start monitor_job '{"job_id": "j", "poll_interval_seconds": 0}'
wait_for "$ID" '.runtimeStatus == "Failed"'
like "$(printf '%s' "$ST" | jq -r .output)" "poll_interval_seconds must be in" "a zero interval fails"
orch_start monitor_job '{"job_id": "j", "ready_after_polls": "soon"}'
wait_for "$ID" '.runtimeStatus == "Failed"'
like "$(printf '%s' "$ST" | jq -r .output)" "ready_after_polls must be" "a bad ready_after_polls fails"
orch_start monitor_job '{"job_id": '
is "$CODE" "400" "non-JSON body is 400"

done_testing
