#!/bin/sh
# samples/fan_out_fan_in end to end: started through durable_hello's
# starter, results in item order, the count input and its errors.
. "$(dirname "$0")/../lib.sh"
S="$CFUNC_BUILD/samples"
root="$T_DIR/app"
make_root "$root" "[\"$S/durable_hello.so\", \"$S/fan_out_fan_in.so\"]"
start_host "$root"
ok $? "host starts"


orch_start fan_out_fan_in '{"count": 5}'
is "$CODE" "202" "start with count 5"
like "$(jq -r .statusQueryGetUri "$BODY_FILE")" "/runtime/webhooks/durabletask/instances/$ID" "check-status payload"
wait_for "$ID" '.runtimeStatus == "Completed"'
ok $? "completes"
is "$(printf '%s' "$ST" | jq -c .output)" '{"items_processed":5,"results":[60,60,60,60,60]}' "the seed's output"
is "$(printf '%s' "$ST" | jq -c .input)" '{"count":5}' "input kept"

wait_for "$ID" '.runtimeStatus == "Completed"' '?showHistory=true&showHistoryOutput=true'
is "$(printf '%s' "$ST" | jq '[.historyEvents[] | select(.EventType == "TaskCompleted" and .FunctionName == "process_item")] | length')" "5" "five process_item activities"

orch_start fan_out_fan_in ''
is "$CODE" "202" "start without a body"
wait_for "$ID" '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -c .output)" '{"items_processed":5,"results":[60,60,60,60,60]}' "count defaults to 5"

# item-10 and item-11 are one character longer: order is item order.
orch_start fan_out_fan_in '{"count": 12}'
is "$CODE" "202" "start with count 12"
wait_for "$ID" '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -c .output)" '{"items_processed":12,"results":[60,60,60,60,60,60,60,60,60,60,70,70]}' "results in item order"

orch_start fan_out_fan_in '{"count": 200}'
is "$CODE" "202" "start with count 200"
wait_for "$ID" '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -c '[.output.items_processed, (.output.results | length), (.output.results | add)]')" "[200,200,14900]" "200 items fan out and back in"

orch_start fan_out_fan_in '{"count": 0}'
is "$CODE" "202" "start with count 0"
wait_for "$ID" '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -c .output)" '{"items_processed":0,"results":[]}' "nothing to do"

# --- bad input
orch_start fan_out_fan_in '{"count": "many"}'
is "$CODE" "202" "a count that is not a number is accepted by the starter"
wait_for "$ID" '.runtimeStatus == "Failed"'
ok $? "and fails the orchestration"
like "$(printf '%s' "$ST" | jq -r .output)" "^Orchestrator function 'fan_out_fan_in' failed: count must be a number" "with the reason"
orch_start fan_out_fan_in '{"count": 2.5}'
is "$CODE" "202" "fractional count"
wait_for "$ID" '.runtimeStatus == "Failed"'
like "$(printf '%s' "$ST" | jq -r .output)" "count must be an integer from 0 to 10000" "is refused"
orch_start fan_out_fan_in '{"count": -1}'
is "$CODE" "202" "negative count"
wait_for "$ID" '.runtimeStatus == "Failed"'
ok $? "is refused"
orch_start fan_out_fan_in '{"count": 5'
is "$CODE" "400" "non-JSON body is 400"
like "$(body)" "Invalid JSON" "and says so"
orch_start fan_out_fan_inn '{}'
is "$CODE" "400" "unknown orchestrator is 400"
like "$(body)" "fan_out_fan_inn" "naming it"

done_testing
