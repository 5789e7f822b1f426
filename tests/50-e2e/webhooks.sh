#!/bin/sh
# Durable management webhooks, part 1: routing, start (ids, bodies, waits),
# status (codes, headers, history projection), task hubs, error bodies.
# Spec: durable-http-api.md §1-§4.2, §7, §9.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/webhooks.inc"

wh_start_host "$T_DIR/app"
ok $? "host starts with durable_hello and webhook_app"
JSON_CT="application/json; charset=utf-8"

# --- start: 202, the 8-key payload, headers --------------------------------
is "$(req -X POST "$W/orchestrators/hello_sequence")" 202 "start without an id: 202"
id=$(jb .id)
like "$id" '^[0-9a-f]{32}$' "generated id is 32 lowercase hex"
is "$(jb 'keys_unsorted | join(",")')" "id,statusQueryGetUri,sendEventPostUri,terminatePostUri,purgeHistoryDeleteUri,restartPostUri,suspendPostUri,resumePostUri" \
	"built-in start payload: 8 keys in order, no rewindPostUri"
Q="taskHub=TestHubName&connection=Storage"
is "$(jb .statusQueryGetUri)" "$W/instances/$id?$Q" "statusQueryGetUri"
is "$(jb .terminatePostUri)" "$W/instances/$id/terminate?reason={text}&$Q" "terminatePostUri"
is "$(jb .restartPostUri)" "$W/instances/$id/restart?$Q" "restartPostUri"
is "$(hdr Location)" "$W/instances/$id?$Q" "Location = statusQueryGetUri"
is "$(hdr Retry-After)" "10" "check-status Retry-After: 10"
is "$(hdr Content-Type)" "$JSON_CT" "check-status Content-Type"
wait_for "$id" Completed
ok $? "the started hello_sequence completes"

# check-status URLs follow the request's Host header (one a loopback host
# accepts without cfunc.allowedHosts)
is "$(req -X POST -H 'Host: localhost:8080' "$W/orchestrators/hello_sequence")" 202 "start with another Host header"
like "$(jb .statusQueryGetUri)" '^http://localhost:8080/runtime/webhooks/durabletask/instances/[0-9a-f]{32}\?taskHub=TestHubName&connection=Storage$' \
	"URLs use the request's Host"
like "$(hdr Location)" '^http://localhost:8080/runtime/webhooks/durabletask/instances/' "Location uses the request's Host"

# explicit id and a JSON body
is "$(req -X POST -H 'Content-Type: application/json' -d '{"city": "Tokyo", "n": [1, 2]}' "$W/orchestrators/hello_sequence/job-42")" 202 "start with an id and a body"
is "$(jb .id)" "job-42" "the id is the one given"
wait_for job-42 Completed
ok $? "job-42 completes"
is "$(printf '%s' "$WS" | jq -c .input)" '{"city":"Tokyo","n":[1,2]}' "the body is the input, as a JSON value"

# bodies: empty, content type not checked, malformed
is "$(req -X POST -H 'Content-Type: application/json' "$W/orchestrators/wh_noop/empty-body")" 202 "empty POST body with Content-Type application/json: 202"
wait_for empty-body Completed
is "$(printf '%s' "$WS" | jq -c .input)" "null" "empty body -> input null"
is "$(req -X POST -H 'Content-Type: text/plain' -d '"txt"' "$W/orchestrators/wh_noop/plain-ct")" 202 "start does not check the content type"
wait_for plain-ct Completed
is "$(printf '%s' "$WS" | jq -c .output)" '"txt"' "text/plain body still parsed as JSON"
is "$(req -X POST -d '{"city":' "$W/orchestrators/hello_sequence/bad-json")" 400 "malformed JSON: 400"
is "$(jb .Message)" "Invalid JSON content" "malformed JSON Message"
is "$(jb .ExceptionType)" "Newtonsoft.Json.JsonReaderException" "malformed JSON ExceptionType"
is "$(jb 'keys_unsorted | join(",")')" "Message,ExceptionMessage,ExceptionType,StackTrace" "exception-style error keys (PascalCase, in order)"
is "$(hdr Content-Type)" "$JSON_CT" "error body Content-Type"
is "$(req "$W/instances/bad-json")" 404 "nothing created for malformed JSON"

# unknown or differently cased orchestrator names
is "$(req -X POST "$W/orchestrators/no_such_orch")" 400 "unknown orchestrator: 400"
is "$(jb .Message)" "One or more of the arguments submitted is incorrect" "ArgumentException Message"
is "$(jb .ExceptionType)" "System.ArgumentException" "ArgumentException type"
like "$(jb .ExceptionMessage)" "^The function 'no_such_orch' doesn't exist, is disabled, or is not an orchestrator function" "unknown orchestrator ExceptionMessage"
is "$(req -X POST "$W/orchestrators/say_hello")" 400 "an activity is not an orchestrator: 400"
is "$(req -X POST "$W/orchestrators/HELLO_SEQUENCE/cased")" 202 "orchestrator names compare case-insensitively"
wait_for cased Completed
ok $? "the differently cased start runs"

# instance ids
is "$(req -X POST "$W/orchestrators/wh_noop/a%2Fb")" 400 "id with an encoded '/': 400"
like "$(jb .ExceptionMessage)" "must not contain" "… says which characters are refused"
is "$(req -X POST "$W/orchestrators/wh_noop/a%23b")" 400 "id with '#': 400"
is "$(req -X POST "$W/orchestrators/wh_noop/a%3Fb")" 400 "id with '?': 400"
is "$(req -X POST "$W/orchestrators/wh_noop/a%5Cb")" 400 "id with '\\': 400"
is "$(req -X POST "$W/orchestrators/wh_noop/a%01b")" 400 "id with a control character: 400"
is "$(req -X POST "$W/orchestrators/wh_noop/a%7Fb")" 400 "id with DEL: 400"
is "$(req -X POST "$W/orchestrators/wh_noop/%40entity")" 400 "id starting with '@': 400"
is "$(req -X POST "$W/orchestrators/wh_noop/a%FFb")" 400 "id that is not UTF-8: 400"
like "$(jb .ExceptionMessage)" "UTF-8" "… says so"
is "$(req -X POST "$W/orchestrators/wh_noop/a%00b")" 400 "id with %00: 400 (malformed path)"
is "$(req -X POST "$W/orchestrators/wh_noop/a%zzb")" 400 "malformed percent-encoding: 400"
long=$(head -c 10240 /dev/zero | tr '\0' 'x')
is "$(req -X POST "$W/orchestrators/wh_noop/$long")" 400 "10 KB id: 400"
like "$(jb .ExceptionMessage)" "256" "… names the 256 limit"
id256=$(head -c 256 /dev/zero | tr '\0' 'y')
is "$(req -X POST "$W/orchestrators/wh_noop/$id256")" 202 "256-character id: 202"
is "$(req -X POST "$W/orchestrators/wh_noop/${id256}y")" 400 "257-character id: 400"
is "$(req --path-as-is -X POST "$W/orchestrators/wh_noop/..")" 202 "'..' is a valid id (path sent as is)"
is "$(jb .id)" ".." "… kept verbatim"
wait_for %2E%2E Completed
ok $? "'..' is addressable as %2E%2E"
is "$(req -X POST "$W/orchestrators/wh_noop/a%20b+c")" 202 "id with a space and a '+'"
is "$(jb .id)" "a b+c" "'%20' decodes to a space, '+' stays '+' in a path"
like "$(jb .statusQueryGetUri)" "/instances/a%20b%2Bc\\?" "the id is percent-encoded in URLs"
wait_for "a%20b%2Bc" Completed
ok $? "the encoded id addresses the instance"
is "$(req -X POST "$W/orchestrators/wh_noop/caf%C3%A9%2525")" 202 "UTF-8 id, decoded once"
is "$(jb .id)" "café%25" "'%2525' decodes once to '%25'"

# an id in use by a running instance, and replacing a completed one
is "$(start wh_wait busy)" "busy" "start a waiting instance"
wait_for busy Running
ok $? "… it runs"
is "$(req -X POST "$W/orchestrators/wh_wait/busy")" 500 "start of a running id: 500"
is "$(jb .Message)" "Something went wrong while processing your request" "500 Message"
is "$(jb .ExceptionMessage)" "An Orchestration instance with the status Running already exists." "500 ExceptionMessage"
is "$(jb .ExceptionType)" "DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException" "500 ExceptionType"
is "$(req -X POST "$W/orchestrators/wh_noop/job-42")" 202 "a completed id is replaced"
wait_for job-42 Completed
is "$(printf '%s' "$WS" | jq -r .name)" "wh_noop" "the replacement is a new execution"

# --- start with timeout + pollingInterval (§3.4) ----------------------------
is "$(req -X POST "$W/orchestrators/hello_sequence/waited?timeout=10&pollingInterval=0.05")" 200 "wait: completed in time -> 200"
is "$(jc .)" '["Hello Tokyo!","Hello Seattle!","Hello London!"]' "… the body is the output itself"
ok "$(! has_hdr Location; echo $?)" "… without Location"
is "$(req -X POST "$W/orchestrators/wh_wait/waiting?timeout=0.3&pollingInterval=0.1")" 202 "wait: still running at the timeout -> 202"
is "$(jb 'keys_unsorted | length')" 8 "… with the 8-key payload"
is "$(hdr Retry-After)" "10" "… and Retry-After: 10"
is "$(req -X POST "$W/orchestrators/wh_fail/waitfail?timeout=10&pollingInterval=0.05")" 200 "wait: failed -> 200 with the status object"
is "$(jb .runtimeStatus)" "Failed" "… runtimeStatus Failed"
is "$(req -X POST "$W/orchestrators/hello_sequence/quirk?timeout=1&pollingInterval=2")" 400 "pollingInterval > timeout: 400"
is "$(jb .ExceptionType)" "System.ArgumentException" "… an ArgumentException"
wait_for quirk Completed
ok $? "… but the instance was started anyway (extension quirk)"
is "$(req -X POST "$W/orchestrators/wh_noop/onlytimeout?timeout=5")" 202 "timeout alone does not wait"
is "$(req -X POST "$W/orchestrators/wh_noop/badtimeout?timeout=abc&pollingInterval=1")" 202 "unparseable timeout counts as absent"

# --- status (§4.2) -----------------------------------------------------------
is "$(req "$W/instances/busy")" 202 "Running: 202"
is "$(hdr Location)" "$W/instances/busy" "Running: Location = the request URL"
is "$(hdr Retry-After)" "5" "Running: Retry-After: 5"
is "$(hdr Content-Type)" "$JSON_CT" "status Content-Type"
is "$(jb 'keys_unsorted | join(",")')" "name,instanceId,runtimeStatus,input,customStatus,output,createdTime,lastUpdatedTime" "status keys in order, no historyEvents"
is "$(jc .customStatus)" '{"step":"waiting"}' "customStatus is a JSON value"
like "$(jb .createdTime)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' "createdTime: seconds, Z"
is "$(req "$W/instances/busy?taskHub=TestHubName&connection=Storage&code=ignored&showInput=false")" 202 "Location keeps the query"
is "$(hdr Location)" "$W/instances/busy?taskHub=TestHubName&connection=Storage&code=ignored&showInput=false" "… exactly"
is "$(req "$W/instances/job-42")" 200 "Completed: 200"
ok "$(! has_hdr Location; echo $?)" "Completed: no Location"
is "$(req "$W/instances/nobody")" 404 "unknown id: 404"
is "$(wc -c <"$BODY_FILE" | tr -d ' ')" 0 "404 body is empty"
ok "$(! has_hdr Content-Type; echo $?)" "404 has no Content-Type"
is "$(req "$W/instances/waitfail")" 200 "Failed: 200 by default"
is "$(jb .output)" "Orchestrator function 'wh_fail' failed: Activity function 'wh_boom' failed: boom!" "Failed output format"
is "$(req "$W/instances/waitfail?returnInternalServerErrorOnFailure=true")" 500 "Failed + returnInternalServerErrorOnFailure=true: 500"
is "$(jb .runtimeStatus)" "Failed" "… with the status object"
is "$(req "$W/instances/waitfail?returnInternalServerErrorOnFailure=TRUE")" 500 "booleans in any case"
is "$(req "$W/instances/job-42?returnInternalServerErrorOnFailure=true")" 200 "the flag does not affect Completed"
is "$(start wh_direct direct '"bad input"')" direct "an orchestrator that fails itself"
wait_for direct Failed
is "$(printf '%s' "$WS" | jq -r .output)" "Orchestrator function 'wh_direct' failed: bad input" "its output"
is "$(req "$W/instances/busy?showInput=false")" 202 "showInput=false"
is "$(jc .input)" "null" "… input null"

# history projection of a completed hello_sequence (§7)
is "$(req "$W/instances/waited?showHistory=true")" 200 "showHistory=true"
is "$(jb '[.historyEvents[].EventType] | join(",")')" "ExecutionStarted,TaskCompleted,TaskCompleted,TaskCompleted,ExecutionCompleted" \
	"merged history: no OrchestratorStarted/Completed, no TaskScheduled"
is "$(jb '[.historyEvents[] | select(.EventType == "TaskCompleted") | .FunctionName] | join(",")')" "say_hello,say_hello,say_hello" "TaskCompleted gains FunctionName"
is "$(jb '[.historyEvents[] | select(.EventType == "TaskCompleted") | has("ScheduledTime")] | all')" "true" "… and ScheduledTime"
is "$(jb '[.historyEvents[] | has("EventId") or has("IsPlayed") or has("TaskScheduledId") or has("Result")] | any')" "false" \
	"no EventId, IsPlayed, TaskScheduledId; no Result without showHistoryOutput"
is "$(jb '.historyEvents[0].FunctionName')" "hello_sequence" "ExecutionStarted: Name -> FunctionName"
is "$(jb '.historyEvents[0] | has("Name") or has("OrchestrationInstance") or has("Version")')" "false" "ExecutionStarted: Name, OrchestrationInstance, Version removed"
is "$(jb '.historyEvents[0].Input')" "null" "ExecutionStarted Input is the raw JSON text"
is "$(jb '.historyEvents[-1].OrchestrationStatus')" "Completed" "ExecutionCompleted: status name"
like "$(jb '.historyEvents[1].Timestamp')" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,7})?Z$' "history timestamps: up to 7 fractional digits"
is "$(req "$W/instances/waited?showHistory=true&showHistoryOutput=true")" 200 "showHistoryOutput=true"
is "$(jb '[.historyEvents[] | select(.EventType == "TaskCompleted") | .Result] | join(",")')" "Hello Tokyo!,Hello Seattle!,Hello London!" "Result shown, parsed"
is "$(jc '.historyEvents[-1].Result')" '["Hello Tokyo!","Hello Seattle!","Hello London!"]' "ExecutionCompleted Result is a JSON value"
is "$(req "$W/instances/job-42?showHistory=true&showInput=false")" 200 "showHistory with showInput=false"
is "$(jb '[.historyEvents[] | has("Input")] | any')" "false" "every Input removed"
is "$(jc .input)" "null" "… and input null"
is "$(req "$W/instances/waited?showHistory=1")" 200 "showHistory=1"
is "$(jb 'has("historyEvents")')" "false" "'1' is not a boolean: no history"
is "$(req "$W/instances/waited?showHistoryOutput=true")" 200 "showHistoryOutput alone"
is "$(jb 'has("historyEvents")')" "false" "… shows no history"
is "$(req "$W/instances/waitfail?showHistory=true&showHistoryOutput=true")" 200 "failed history"
is "$(jb '.historyEvents[] | select(.EventType == "TaskFailed") | .Reason')" "Activity function 'wh_boom' failed: boom!" "TaskFailed Reason"
is "$(jb '.historyEvents[] | select(.EventType == "TaskFailed") | .FunctionName')" "wh_boom" "TaskFailed merged with its TaskScheduled"
is "$(jc '.historyEvents[-1] | [.OrchestrationStatus, .Result, .FailureDetails]')" \
	"[\"Failed\",\"Orchestrator function 'wh_fail' failed: Activity function 'wh_boom' failed: boom!\",null]" "ExecutionCompleted of a failure"

# timers and sub-orchestrations in the history
is "$(start wh_parent parent)" parent "start an orchestration with a timer and a sub-orchestration"
wait_for parent Completed "showHistory=true&showHistoryOutput=true"
ok $? "… completes"
is "$(printf '%s' "$WS" | jq -r '[.historyEvents[].EventType] | join(",")')" \
	"ExecutionStarted,TimerCreated,TimerFired,SubOrchestrationInstanceCompleted,ExecutionCompleted" "timer and sub-orchestration events"
is "$(printf '%s' "$WS" | jq -r '[.historyEvents[] | select(.EventType == "TimerCreated" or .EventType == "TimerFired") | has("FireAt") and (has("TimerId") | not)] | all')" \
	"true" "timers keep FireAt, TimerFired loses TimerId"
is "$(printf '%s' "$WS" | jq -c '.historyEvents[3] | [.FunctionName, .Input, .Result, has("ScheduledTime"), has("InstanceId"), has("TaskScheduledId")]')" \
	'["wh_noop","{\"x\":1}",{"x":1},true,false,false]' "sub-orchestration merged: FunctionName, raw Input, parsed Result; child id gone"

# --- routing (§1.1) ----------------------------------------------------------
is "$(req "$W/orchestrators/hello_sequence")" 404 "GET orchestrators/X: 404"
is "$(wc -c <"$BODY_FILE" | tr -d ' ')" 0 "… empty body"
is "$(req -X POST "$W/orchestrators")" 404 "POST orchestrators without a name: 404"
is "$(req -X PUT "$W/instances/job-42")" 404 "PUT instances/{id}: 404"
is "$(req -X POST "$W/instances/job-42")" 404 "POST instances/{id}: 404"
is "$(req "$W/instances/busy/terminate")" 404 "GET instances/{id}/terminate: 404"
is "$(req -X POST "$W/instances/busy/unknownOp")" 404 "unknown operation: 404"
is "$(req -X POST "$W/instances/busy/raiseEvent")" 404 "raiseEvent without a name: 404"
is "$(req "$W/instances/busy/raiseEvent/go")" 404 "GET raiseEvent: 404"
is "$(req -X POST "$W/instances/busy/raiseEvent/go/more")" 404 "too many segments: 404"
is "$(req -X POST "$W/instances/busy/notRaise/go")" 404 "four segments without raiseEvent: 404"
is "$(req -X POST "$W/instances//terminate")" 404 "empty inner segment: 404"
is "$(req "$W")" 404 "the base path alone: 404"
is "$(req "$W/")" 404 "the base path with '/': 404"
is "$(req "$W/nothing")" 404 "unknown first segment: 404"
is "$(req -X POST "$W/makeprimary")" 404 "makeprimary (not implemented): 404"
is "$(req "$W/EnTiTiEs")" 200 "entities: the listing (literal case-insensitive; webhooks_entities.sh has the rest)"
is "$(req -X POST "$W/entities/counter/k?op=add")" 400 "signal to an app without that entity function: 400"
is "$(req "$BASE/runtime/webhooks/durabletaskx/instances")" 404 "a longer base is not the API"
is "$(req "$W/INSTANCES/job-42")" 200 "literal segments are case-insensitive"
is "$(req "$BASE/Runtime/WebHooks/DurableTask/instances/job-42")" 200 "the base path is case-insensitive"
is "$(req "$W/instances/JOB-42")" 404 "instance ids are case-sensitive"
is "$(req "$W/instances/job-42/")" 200 "a trailing slash is ignored"
is "$(req "$W/instances/job-42///")" 200 "trailing slashes are ignored"
is "$(req -X POST "$W/orchestrators/wh_noop/")" 202 "orchestrators/X/ starts with a new id"
like "$(jb .id)" '^[0-9a-f]{32}$' "… generated"

# --- keep-alive: several requests on one connection ---------------------------
conns=$(curl -s -o /dev/null -o /dev/null -o /dev/null -w '%{num_connects} ' "$W/instances/job-42" "$W/instances/nobody" "$W/instances/busy")
is "$conns" "1 0 0 " "three requests (200, 404, 202) on one keep-alive connection"
conns=$(curl -s -o /dev/null -o /dev/null -w '%{http_code}:%{num_connects} ' -X POST \
	"$W/orchestrators/wh_noop/ka-1" "$W/orchestrators/wh_noop/ka-2")
is "$conns" "202:1 202:0 " "two POSTs on one connection"

# --- task hubs and the ignored parameters (§1.2) -----------------------------
is "$(req "$W/instances/job-42?taskHub=TestHubName&connection=Storage&code=abc")" 200 "taskHub/connection/code given"
is "$(req "$W/instances/job-42?taskHub=testhubname")" 200 "taskHub compares case-insensitively"
is "$(req "$W/instances/job-42?taskHub=%20")" 200 "blank taskHub = the default hub"
is "$(req "$W/instances/job-42?connection=Other&code=")" 200 "connection and code are ignored"
is "$(req "$W/instances/job-42?taskHub=OtherHub")" 404 "another hub: GET 404"
is "$(req "$W/instances?taskHub=OtherHub")" 200 "another hub: list 200"
is "$(jc .)" "[]" "… empty"
is "$(req -X POST "$W/orchestrators/wh_noop/elsewhere?taskHub=OtherHub")" 400 "another hub: start 400"
like "$(jb .ExceptionMessage)" "Task hub 'OtherHub' is not served" "… says why"
is "$(req "$W/instances/elsewhere")" 404 "… and nothing was created"
is "$(req -X POST "$W/instances/busy/terminate?taskHub=OtherHub")" 404 "another hub: terminate 404"
is "$(req -X POST -H 'Content-Type: application/json' -d '1' "$W/instances/busy/raiseEvent/go?taskHub=OtherHub")" 404 "another hub: raise 404"
is "$(req -X DELETE "$W/instances/job-42?taskHub=OtherHub")" 404 "another hub: purge 404"
is "$(req -X POST "$W/instances/job-42/restart?taskHub=OtherHub")" 400 "another hub: restart 400 (unknown id)"
is "$(req "$W/instances/job-42")" 200 "the instance in the real hub is untouched"
is "$(req "$W/instances/busy")" 202 "… and so is the running one"

stop_host TERM
is "$HOST_RC" 0 "host stops cleanly"

# --- no durable functions loaded: the API answers like an empty task hub -----
make_root "$T_DIR/plain" "[\"$CFUNC_BUILD/samples/hello_http.so\"]"
start_host "$T_DIR/plain"
ok $? "host without durable functions starts"
W="$BASE/runtime/webhooks/durabletask"
is "$(req "$W/instances/job-42")" 404 "no engine: GET status 404"
is "$(req "$W/instances")" 200 "no engine: list 200"
is "$(jc .)" "[]" "… empty"
is "$(req -X POST "$W/orchestrators/hello_sequence")" 400 "no engine: start 400"
like "$(jb .ExceptionMessage)" "doesn't exist, is disabled, or is not an orchestrator function. Additional info: no orchestrator functions are loaded" "… the function does not exist here"
is "$(req -X POST "$W/instances/x/terminate")" 404 "no engine: terminate 404"
is "$(req -X POST -H 'Content-Type: application/json' -d 1 "$W/instances/x/raiseEvent/e")" 404 "no engine: raise 404"
is "$(req -X POST "$W/instances/x/restart")" 400 "no engine: restart 400"
is "$(req -X DELETE "$W/instances/x")" 404 "no engine: purge 404"
is "$(req -X DELETE "$W/instances?createdTimeFrom=2000-01-01")" 404 "no engine: purge many 404"
is "$(req -X DELETE "$W/instances")" 400 "no engine: purge many still wants createdTimeFrom"
is "$(req "$BASE/api/hello?name=x")" 200 "HTTP functions still served"
stop_host TERM
is "$HOST_RC" 0 "host stops cleanly"
done_testing
