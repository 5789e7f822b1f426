#!/bin/sh
# samples/base_orchestrator end to end (seed 004): the seed's four steps as
# written, its own status and raise routes next to durable_hello's starter,
# the built-in webhook alternatives, errors.
. "$(dirname "$0")/../lib.sh"
S="$CFUNC_BUILD/samples"
root="$T_DIR/app"
make_root "$root" "[\"$S/durable_hello.so\", \"$S/base_orchestrator.so\"]"
start_host "$root"
ok $? "host starts"

# wait_for <url> <jq condition>: polls a status URL (15 s at most) until
# the condition is true; the last status object is left in $ST.
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

# 1. Start -> 202 with id and statusQueryGetUri
code=$(http -X POST "$BASE/api/orchestrators/base_orchestrator" -H "Content-Type: application/json" -d '{"message": "Hello", "wait_event_name": "WakeUp"}')
is "$code" "202" "1. start: 202"
ID=$(jq -r .id "$BODY_FILE")
like "$ID" '^[0-9a-f]{32}$' "the answer has the instance id"
SQ=$(jq -r .statusQueryGetUri "$BODY_FILE")
SE=$(jq -r .sendEventPostUri "$BODY_FILE")
like "$SQ" "/runtime/webhooks/durabletask/instances/$ID\\?taskHub=" "and statusQueryGetUri"

# 2. Check status -> Running (waiting for the event)
wait_for "$BASE/api/orchestrators/$ID/status" '.customStatus.state == "waiting"'
ok $? "2. status: waiting for the event"
is "$(printf '%s' "$ST" | jq -r .runtimeStatus)" "Running" "runtimeStatus Running"
is "$(printf '%s' "$ST" | jq -c '[.name, .input.message, .customStatus.wait_event_name]')" '["base_orchestrator","Hello","WakeUp"]' "name, input, custom status"
is "$(http "$BASE/api/orchestrators/$ID/status")" "200" "the status route answers 200"

# 3. Raise event (wake orchestrator)
code=$(http -X POST "$BASE/api/orchestrators/$ID/raise/WakeUp" -H "Content-Type: application/json" -d '{"approved": true}')
is "$code" "202" "3. raise WakeUp: 202"

# 4. Check status -> Completed
wait_for "$BASE/api/orchestrators/$ID/status" '.runtimeStatus == "Completed"'
ok $? "4. status: Completed"
is "$(printf '%s' "$ST" | jq -c .output)" '{"message":"Hello","event_name":"WakeUp","event_data":{"approved":true}}' "output carries the message and the event data"

# --- the built-in alternatives of the seed: statusQueryGetUri, sendEventPostUri
code=$(http -X POST "$BASE/api/orchestrators/base_orchestrator" -d '{"message": {"n": 1}, "wait_event_name": "Go"}')
is "$code" "202" "start another"
ID=$(jq -r .id "$BODY_FILE")
SQ=$(jq -r .statusQueryGetUri "$BODY_FILE")
SE=$(jq -r .sendEventPostUri "$BODY_FILE" | sed 's/{eventName}/Go/')
wait_for "$SQ" '.runtimeStatus == "Running" and .customStatus.state == "waiting"'
ok $? "statusQueryGetUri shows it Running"
is "$(http -X POST -H "Content-Type: application/json" -d '"payload"' "$SE")" "202" "sendEventPostUri with {eventName} replaced"
wait_for "$SQ" '.runtimeStatus == "Completed"'
ok $? "statusQueryGetUri shows it Completed"
is "$(printf '%s' "$ST" | jq -c .output)" '{"message":{"n":1},"event_name":"Go","event_data":"payload"}' "output"

# --- default event name, no event data, case-insensitive names
http -X POST "$BASE/api/orchestrators/base_orchestrator" -d '{"message": "m"}' >/dev/null
ID=$(jq -r .id "$BODY_FILE")
wait_for "$BASE/api/orchestrators/$ID/status" '.customStatus.state == "waiting"'
is "$(printf '%s' "$ST" | jq -r .customStatus.wait_event_name)" "WakeUp" "wait_event_name defaults to WakeUp"
is "$(http -X POST "$BASE/api/orchestrators/$ID/raise/wakeup")" "202" "raise wakeup without a body"
wait_for "$BASE/api/orchestrators/$ID/status" '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -c .output)" '{"message":"m","event_name":"WakeUp","event_data":null}' "null event data"
is "$(http -X POST "$BASE/api/orchestrators/$ID/raise/WakeUp")" "410" "raise on a finished instance is 410"

# --- errors
is "$(http "$BASE/api/orchestrators/nope/status")" "404" "status of an unknown instance is 404"
is "$(http -X POST "$BASE/api/orchestrators/nope/raise/WakeUp")" "404" "raise to an unknown instance is 404"
is "$(http -X POST -d '{"approved": ' "$BASE/api/orchestrators/$ID/raise/WakeUp")" "400" "non-JSON event data is 400"
is "$(http -X POST -d '{"message": ' "$BASE/api/orchestrators/base_orchestrator")" "400" "non-JSON start body is 400"
is "$(http -X POST -d '{}' "$BASE/api/orchestrators/base_orchestratorX")" "400" "unknown orchestrator is 400"
is "$(http -X GET "$BASE/api/orchestrators/base_orchestrator")" "404" "GET on the start route is 404"

done_testing
