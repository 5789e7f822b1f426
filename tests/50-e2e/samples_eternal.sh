#!/bin/sh
# samples/eternal end to end (seed 000): its HTTP starter, status and stop
# routes, custom status, continue-as-new with one generation of history,
# stop by event or after max_iterations, input checks.
. "$(dirname "$0")/../lib.sh"
S="$CFUNC_BUILD/samples"
root="$T_DIR/app"
make_root "$root" "[\"$S/eternal.so\"]"
start_host "$root"
ok $? "host starts"

# start <body>: POST /api/eternal_orchestration; sets CODE, ID.
start() {
	CODE=$(http -X POST -H 'Content-Type: application/json' -d "$1" "$BASE/api/eternal_orchestration")
	ID=$(jq -r '.id // empty' "$BODY_FILE" 2>/dev/null)
}
# wait_for <id> <jq condition> [query]: polls the sample's own status route
# (15 s at most) until the condition is true; the last status is in $ST.
wait_for() {
	_i=0
	while :; do
		ST=$(curl -s --max-time 5 "$BASE/api/status/$1$3")
		[ "$(printf '%s' "$ST" | jq -r "$2" 2>/dev/null)" = true ] && return 0
		[ $_i -ge 300 ] && return 1
		sleep 0.05
		_i=$((_i + 1))
	done
}
ISO='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'

# --- the seed's custom parameters, with a short interval
start '{"task_type": "data_sync", "interval_seconds": 0.3, "max_iterations": 100, "target_url": "https://httpbin.org/delay/1"}'
is "$CODE" "202" "POST /api/eternal_orchestration"
is "$(jq -r '[.id, .statusQueryGetUri, .sendEventPostUri, .terminatePostUri, .purgeHistoryDeleteUri] | map(type) | unique | join(",")' "$BODY_FILE")" "string" "management URLs in the answer"
like "$(jq -r .statusQueryGetUri "$BODY_FILE")" "/runtime/webhooks/durabletask/instances/$ID\\?" "statusQueryGetUri names the instance"
wait_for "$ID" '.runtimeStatus == "Running" and .customStatus.current_iteration >= 2'
ok $? "GET /api/status/{id}: Running, iterating"
is "$(printf '%s' "$ST" | jq -c '.customStatus | [.max_iterations, .task_type, (keys | join(","))]')" '[100,"data_sync","current_iteration,last_run,max_iterations,task_type"]' "custom status as in the seed"
like "$(printf '%s' "$ST" | jq -r .customStatus.last_run)" "$ISO" "last_run is a UTC timestamp"
is "$(printf '%s' "$ST" | jq -r '.input.current_iteration')" "$(printf '%s' "$ST" | jq -r '.customStatus.current_iteration - 1')" "the input carries the count into the next generation"
is "$(printf '%s' "$ST" | jq -c '.input | [.task_type, .interval_seconds, .max_iterations, .target_url]')" '["data_sync",0.3,100,"https://httpbin.org/delay/1"]' "and the user's settings"
is "$(http -X POST "$BASE/api/stop/$ID")" "202" "POST /api/stop/{id}"
is "$(jq -r .instanceId "$BODY_FILE")" "$ID" "the answer names the instance"
wait_for "$ID" '.runtimeStatus == "Completed"'
ok $? "stopped: Completed"
is "$(printf '%s' "$ST" | jq -c '[.output.status, .output.total_iterations >= 2, .output.total_iterations == .output.final_result.iteration]')" '["stopped",true,true]' "output says stopped, with the iterations run"

# --- runs to max_iterations
start '{"task_type": "data_sync", "interval_seconds": 0.05, "max_iterations": 4, "target_url": "https://httpbin.org/delay/1"}'
wait_for "$ID" '.runtimeStatus == "Completed"' '?showHistory=true'
ok $? "completes after max_iterations"
is "$(printf '%s' "$ST" | jq -c '.output | [.status, .total_iterations, .final_result.iteration, .final_result.task_type, .final_result.success, .final_result.target_url]')" '["completed",4,4,"data_sync",true,"https://httpbin.org/delay/1"]' "final output as in the seed"
like "$(printf '%s' "$ST" | jq -r .output.final_result.executed_at)" "$ISO" "executed_at is a UTC timestamp"
is "$(printf '%s' "$ST" | jq -c '[.historyEvents[].EventType]')" '["ExecutionStarted","TaskCompleted","ExecutionCompleted"]' "history holds only the last generation"

# --- many iterations: the history never grows
start '{"interval_seconds": 0.01, "max_iterations": 25}'
wait_for "$ID" '.runtimeStatus == "Completed"' '?showHistory=true'
ok $? "25 short iterations complete"
is "$(printf '%s' "$ST" | jq -c '[.output.total_iterations, (.historyEvents | length)]')" '[25,3]' "still three history events"

# --- stopped while it sleeps: completes at once, the timer is cancelled
start '{"interval_seconds": 60, "max_iterations": 10}'
wait_for "$ID" '.runtimeStatus == "Running" and .customStatus.current_iteration == 1' '?showHistory=true'
ok $? "first iteration running"
wait_for "$ID" '[.historyEvents[] | select(.EventType == "TaskCompleted")] | length == 1' '?showHistory=true'
ok $? "first run done, asleep on the timer"
is "$(http -X POST "$BASE/api/stop/$ID")" "202" "stop it"
wait_for "$ID" '.runtimeStatus == "Completed"'
ok $? "completes long before the 60 s timer"
is "$(printf '%s' "$ST" | jq -c '.output | [.status, .total_iterations, .final_result.iteration]')" '["stopped",1,1]' "output says stopped after 1 iteration"
is "$(http -X POST "$BASE/api/stop/$ID")" "410" "stopping a finished instance is 410"

# A stop raised while the work runs is buffered and honoured after it.
start '{"interval_seconds": 60}'
is "$(http -X POST "$BASE/api/stop/$ID")" "202" "stop right after the start"
wait_for "$ID" '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -c '[.output.status, .output.total_iterations]')" '["stopped",1]' "the early stop is not lost"

# --- the seed's defaults: health_check, 5 iterations, 2 minutes apart
start ''
is "$CODE" "202" "start with an empty body"
wait_for "$ID" '.customStatus.current_iteration == 1'
is "$(printf '%s' "$ST" | jq -c '[.runtimeStatus, .customStatus.max_iterations, .customStatus.task_type]')" '["Running",5,"health_check"]' "defaults"
http -X POST "$BASE/api/stop/$ID" >/dev/null
wait_for "$ID" '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -r .output.status)" "stopped" "stopped"

start '{"interval_minutes": 0.002, "max_iterations": 2}'
wait_for "$ID" '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -c '[.output.status, .output.total_iterations]')" '["completed",2]' "fractional interval_minutes"

# --- bad requests
is "$(http "$BASE/api/status/nope")" "404" "status of an unknown instance is 404"
is "$(http -X POST "$BASE/api/stop/nope")" "404" "stop of an unknown instance is 404"
start '{"max_iterations": 3'
is "$CODE" "400" "non-JSON body is 400"
start '[1, 2]'
is "$CODE" "400" "a body that is not an object is 400"
start '{"max_iterations": 0}'
is "$CODE" "400" "max_iterations 0 is 400"
like "$(body)" "max_iterations" "naming the field"
start '{"max_iterations": 2.5}'
is "$CODE" "400" "fractional max_iterations is 400"
start '{"interval_seconds": -1}'
is "$CODE" "400" "negative interval is 400"
start '{"interval_minutes": "2"}'
is "$CODE" "400" "interval as a string is 400"
start '{"task_type": 7}'
is "$CODE" "400" "task_type that is not a string is 400"

done_testing
