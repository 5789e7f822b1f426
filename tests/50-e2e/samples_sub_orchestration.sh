#!/bin/sh
# samples/sub_orchestration end to end: one child orchestration per region,
# results in input order, child instances visible, a failing child.
. "$(dirname "$0")/../lib.sh"
S="$CFUNC_BUILD/samples"
root="$T_DIR/app"
make_root "$root" "[\"$S/durable_hello.so\", \"$S/sub_orchestration.so\"]"
start_host "$root"
ok $? "host starts"


orch_start deploy_all_regions '{"regions": ["westus", "eastus", "westeurope"]}'
is "$CODE" "202" "start with three regions"
wait_for "$ID" '.runtimeStatus == "Completed"' '?showHistory=true&showHistoryOutput=true'
ok $? "completes"
is "$(printf '%s' "$ST" | jq -c .output)" '{"regions_deployed":3,"results":[{"region":"westus","resource":"rg-westus","healthy":true},{"region":"eastus","resource":"rg-eastus","healthy":true},{"region":"westeurope","resource":"rg-westeurope","healthy":true}]}' "every child's result, in input order"
is "$(printf '%s' "$ST" | jq -c '[.historyEvents[] | select(.EventType == "SubOrchestrationInstanceCompleted") | .FunctionName] | unique')" '["deploy_region"]' "the parent's history shows the children"
is "$(printf '%s' "$ST" | jq '[.historyEvents[] | select(.EventType == "SubOrchestrationInstanceCompleted")] | length')" "3" "three of them"
parent=$ID
wait_for "$parent:eastus" '.runtimeStatus == "Completed"' '?showHistory=true'
ok $? "child <parent id>:eastus is an instance of its own"
is "$(printf '%s' "$ST" | jq -c '[.name, .input, .output.resource]')" '["deploy_region","eastus","rg-eastus"]' "name, input, output"
is "$(printf '%s' "$ST" | jq -c '[.historyEvents[] | select(.EventType == "TaskCompleted") | .FunctionName]')" '["provision_region","verify_region"]' "the child chains two activities"

orch_start deploy_all_regions ''
wait_for "$ID" '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -c '[.output.results[].region]')" '["westus","eastus","westeurope"]' "default regions"

# --- one child fails: the parent fails with its error
orch_start deploy_all_regions '{"regions": ["westus", "fail-north"]}'
wait_for "$ID" '.runtimeStatus == "Failed"'
ok $? "a failing child fails the parent"
like "$(printf '%s' "$ST" | jq -r .output)" "^Orchestrator function 'deploy_all_regions' failed: .*region fail-north is not healthy" "with the child's error"
wait_for "$ID:fail-north" '.runtimeStatus == "Failed"'
ok $? "the child is Failed"
wait_for "$ID:westus" '.runtimeStatus == "Completed"'
ok $? "its sibling completed"

# --- bad input
orch_start deploy_all_regions '{"regions": []}'
wait_for "$ID" '.runtimeStatus == "Failed"'
like "$(printf '%s' "$ST" | jq -r .output)" "regions must be a non-empty array" "an empty list fails"
orch_start deploy_all_regions '{"regions": "westus"}'
wait_for "$ID" '.runtimeStatus == "Failed"'
like "$(printf '%s' "$ST" | jq -r .output)" "regions must be an array" "a string fails"
orch_start deploy_all_regions '{"regions": ["west/us"]}'
wait_for "$ID" '.runtimeStatus == "Failed"'
like "$(printf '%s' "$ST" | jq -r .output)" "letters, digits and '-'" "a name unfit for an instance id fails"
orch_start deploy_all_regions '{"regions": [["a,b"], "x"]}'
wait_for "$ID" '.runtimeStatus == "Failed"'
ok $? "a nested array fails"
orch_start deploy_all_regions '{"regions": '
is "$CODE" "400" "non-JSON body is 400"

done_testing
