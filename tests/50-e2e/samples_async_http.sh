#!/bin/sh
# samples/async_http end to end: 200 with the output when the orchestration
# finishes within the wait, 202 with the check-status payload otherwise.
. "$(dirname "$0")/../lib.sh"
S="$CFUNC_BUILD/samples"
root="$T_DIR/app"
make_root "$root" "[\"$S/durable_hello.so\", \"$S/async_http.so\"]"
start_host "$root"
ok $? "host starts"

HDR="$T_DIR/headers"
# run <function> <query> <body>: POST /api/async/...; sets CODE, body in $BODY_FILE.
run() {
	CODE=$(http -D "$HDR" -X POST -H 'Content-Type: application/json' -d "$3" "$BASE/api/async/$1?$2")
}
header() { tr -d '\r' <"$HDR" | sed -n "s/^$1: //Ip"; }
# wait_for <url> <jq condition>: polls (15 s at most) until the condition is
# true; the last status object is left in $ST.
wait_for() {
	_i=0
	while :; do
		ST=$(curl -s --max-time 5 "$1")
		[ "$(printf '%s' "$ST" | jq -r "$2" 2>/dev/null)" = true ] && return 0
		[ $_i -ge 300 ] && return 1
		sleep 0.05
		_i=$((_i + 1))
	done
}

# --- finishes within the wait: 200 and the output itself
run long_running_job 'timeout_ms=5000&retry_ms=50' '{"duration_seconds": 0.2}'
is "$CODE" "200" "a 0.2 s job within a 5 s wait: 200"
is "$(jq -c '[.job, .duration_seconds]' "$BODY_FILE")" '["done",0.2]' "the body is the output"
is "$(header Location)" "" "no Location"
run hello_sequence 'timeout_ms=5000&retry_ms=50' ''
is "$CODE" "200" "any orchestrator: hello_sequence"
is "$(body)" '["Hello Tokyo!","Hello Seattle!","Hello London!"]' "its output"
run long_running_job '' '{"duration_seconds": 0}'
is "$CODE" "200" "defaults: wait up to 10 s, check every second"

# --- still running at the end of the wait: 202 and where to poll
run long_running_job 'timeout_ms=200&retry_ms=50' '{"duration_seconds": 1}'
is "$CODE" "202" "a 1 s job within a 0.2 s wait: 202"
ID=$(jq -r .id "$BODY_FILE")
SQ=$(jq -r .statusQueryGetUri "$BODY_FILE")
is "$(header Location)" "$SQ" "Location is statusQueryGetUri"
is "$(jq '[has("id", "statusQueryGetUri", "sendEventPostUri", "terminatePostUri", "purgeHistoryDeleteUri")] | all' "$BODY_FILE")" "true" "check-status payload"
wait_for "$SQ" '.runtimeStatus == "Completed"'
ok $? "polling statusQueryGetUri: Completed"
is "$(printf '%s' "$ST" | jq -c '[.instanceId, .output.job]')" "[\"$ID\",\"done\"]" "with the output"

run long_running_job 'timeout_ms=0' '{"duration_seconds": 0}'
is "$CODE" "202" "timeout_ms=0 does not wait"

# --- failed within the wait: the status object
run long_running_job 'timeout_ms=5000&retry_ms=50' '{"duration_seconds": -1}'
is "$CODE" "200" "a failed orchestration answers with its status"
is "$(jq -r .runtimeStatus "$BODY_FILE")" "Failed" "runtimeStatus Failed"
like "$(jq -r .output "$BODY_FILE")" "duration_seconds must be a number" "and the reason"

# --- bad requests
run long_running_job 'timeout_ms=100&retry_ms=200' '{}'
is "$CODE" "400" "retry_ms > timeout_ms is 400"
run long_running_job 'timeout_ms=soon' '{}'
is "$CODE" "400" "a timeout that is not a number is 400"
run long_running_job 'timeout_ms=-5' '{}'
is "$CODE" "400" "a negative timeout is 400"
run long_running_job '' '{"duration_seconds": '
is "$CODE" "400" "non-JSON body is 400"
run no_such_orchestrator '' '{}'
is "$CODE" "400" "unknown orchestrator is 400"
like "$(body)" "no_such_orchestrator" "naming it"

done_testing
