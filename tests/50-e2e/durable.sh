#!/bin/sh
# The durable engine end to end: the durable_hello sample, the check-status
# response, failures, non-determinism, timers (never early, overdue after a
# restart), poison activities, and bad input that must give a clear error.
. "$(dirname "$0")/../lib.sh"
ABI="$CFUNC_BUILD/tests/20-abi"
root="$T_DIR/durable"
make_root "$root" "[\"$ABI/testapp.so\", \"$CFUNC_BUILD/samples/durable_hello.so\"]" \
	'"extensions": { "durableTask": { "storageProvider": { "maxDequeueCount": 2 } } }'

# wait_status <id> <regex>: polls (bounded, 15 s) until runtimeStatus matches.
wait_status() {
	_ws_end=$(($(date +%s) + 15))
	while :; do
		WS=$(curl -s --path-as-is "$BASE/api/test/status/$1")
		printf '%s' "$WS" | jq -e --arg re "$2" '.runtimeStatus | test($re)' >/dev/null 2>&1 && return 0
		[ "$(date +%s)" -ge "$_ws_end" ] && return 1
		sleep 0.02
	done
}

# wait_log <fixed text>: polls (bounded, 5 s) until the host log has the
# text: threads write their lines when they run out of work, which may be
# just after the commit a status query sees.
wait_log() {
	_wl_i=0
	until grep -qF -- "$1" "$HOST_LOG" || [ $_wl_i -ge 250 ]; do sleep 0.02; _wl_i=$((_wl_i + 1)); done
}

start_host "$root"
ok $? "host starts with durable apps"
like "$(cat "$HOST_LOG")" "$(printf '\thello_sequence: orchestrationTrigger')" "orchestrator listed"
like "$(cat "$HOST_LOG")" "$(printf '\tsay_hello: activityTrigger')" "activity listed"
ok "$([ -f "$root/.cfunc/TestHubName.db" ]; echo $?)" "task hub file under the app root, named after the hub"

# --- the sample: 202 + check-status payload, then Completed with the output
code=$(curl -s -D "$T_DIR/h" -o "$BODY_FILE" -w '%{http_code}' -X POST "$BASE/api/orchestrators/hello_sequence")
is "$code" "202" "http_start answers 202"
id=$(jq -r .id "$BODY_FILE")
like "$id" "^[0-9a-f]{32}$" "new instance ids are 32 lowercase hex"
is "$(jq -r 'keys_unsorted | join(",")' "$BODY_FILE")" "id,statusQueryGetUri,sendEventPostUri,terminatePostUri,rewindPostUri,purgeHistoryDeleteUri,restartPostUri,suspendPostUri,resumePostUri" "check-status payload keys in order"
is "$(jq -r .statusQueryGetUri "$BODY_FILE")" "$BASE/runtime/webhooks/durabletask/instances/$id?taskHub=TestHubName&connection=Storage" "statusQueryGetUri"
is "$(jq -r .sendEventPostUri "$BODY_FILE")" "$BASE/runtime/webhooks/durabletask/instances/$id/raiseEvent/{eventName}?taskHub=TestHubName&connection=Storage" "sendEventPostUri"
like "$(tr -d '\r' <"$T_DIR/h")" "Location: $BASE/runtime/webhooks/durabletask/instances/$id\\?taskHub=TestHubName&connection=Storage" "Location header"
like "$(tr -d '\r' <"$T_DIR/h")" "Retry-After: 10" "Retry-After: 10"
like "$(tr -d '\r' <"$T_DIR/h")" "Content-Type: application/json; charset=utf-8" "JSON content type"
wait_status "$id" "Completed"
ok $? "hello_sequence completes"
is "$(printf '%s' "$WS" | jq -c .output)" '["Hello Tokyo!","Hello Seattle!","Hello London!"]' "hello_sequence output"
is "$(printf '%s' "$WS" | jq -r '[.historyEvents[] | select(.EventType == "TaskCompleted") | .FunctionName] | join(",")')" "say_hello,say_hello,say_hello" "three say_hello results in history"
is "$(printf '%s' "$WS" | jq -r '[.historyEvents[] | .EventType] | first + "," + last')" "ExecutionStarted,ExecutionCompleted" "history starts and ends as DTFx does"
like "$(printf '%s' "$WS" | jq -r .createdTime)" "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$" "createdTime with second precision"
wait_log "$id: Function 'hello_sequence (Orchestrator)' completed"
log=$(cat "$HOST_LOG")
like "$log" "Executing 'Functions.hello_sequence' \\(Reason='\\(null\\)', Id=[0-9a-f-]{36}\\)" "episode Executing line"
like "$log" "Executed 'Functions.say_hello' \\(Succeeded, Id=[0-9a-f-]{36}, Duration=[0-9]+ms\\)" "activity Executed line"
like "$log" "Started orchestration with ID = '$id'." "the starter's log line"
# func's Durable extension lines carry the instance id; replays are not traced
tail_re="HubName: TestHubName\\. AppName: \\. SlotName: \\. ExtensionVersion: cfunc\\. SequenceNumber: [0-9]+\\."
like "$log" "\\] $id: Function 'hello_sequence \\(Orchestrator\\)' started\\. IsReplay: False\\. Input: \\(Redacted 4 characters\\)\\. State: Started\\. RuntimeStatus: Running\\. $tail_re TaskEventId: -1$" "orchestrator started line with the instance id"
is "$(grep -c "$id: Function 'hello_sequence (Orchestrator)' started" "$HOST_LOG")" "1" "started once, though every episode replays"
for n in 0 1 2; do
	like "$log" "\\] $id: Function 'say_hello \\(Activity\\)' started\\. IsReplay: False\\. Input: \\(Redacted [0-9]+ characters\\)\\. State: Started\\. RuntimeStatus: Running\\. $tail_re TaskEventId: $n$" "activity $n started line with the instance id and its task id"
	like "$log" "\\] $id: Function 'say_hello \\(Activity\\)' completed\\. ContinuedAsNew: False\\. IsReplay: False\\. Output: \\(Redacted [0-9]+ characters\\)\\. State: Completed\\. RuntimeStatus: Completed\\. $tail_re TaskEventId: $n$" "activity $n completed line"
done
like "$log" "\\] $id: Function 'say_hello \\(Activity\\)' started\\. IsReplay: False\\. Input: \\(Redacted 7 characters\\)\\..* TaskEventId: 0$" "the input is redacted to its length (\"Tokyo\")"
like "$log" "\\] $id: Function 'hello_sequence \\(Orchestrator\\)' completed\\. ContinuedAsNew: False\\. IsReplay: False\\. Output: \\(Redacted 49 characters\\)\\. State: Completed\\. RuntimeStatus: Completed\\. $tail_re TaskEventId: -1$" "orchestrator completed line, output length"
started=$(grep -n "$id: Function 'say_hello (Activity)' started.* TaskEventId: 0$" "$HOST_LOG" | cut -d: -f1)
completed=$(grep -n "$id: Function 'say_hello (Activity)' completed.* TaskEventId: 0$" "$HOST_LOG" | cut -d: -f1)
ok "$([ -n "$started" ] && [ -n "$completed" ] && [ "$started" -lt "$completed" ]; echo $?)" "an activity's started line comes before its completed line"
seqs=$(grep -o "$id: .*SequenceNumber: [0-9]*" "$HOST_LOG" | sed 's/.*SequenceNumber: //' | sort -n | uniq -d)
is "$seqs" "" "no SequenceNumber is used twice"

# --- the request body becomes the input
is "$(http -X POST -H 'Content-Type: application/json' -d '{"city":"Oslo","n":[1,2]}' "$BASE/api/orchestrators/hello_sequence")" "202" "start with a JSON body"
id2=$(jq -r .id "$BODY_FILE")
wait_status "$id2" "Completed"
is "$(printf '%s' "$WS" | jq -c .input)" '{"city":"Oslo","n":[1,2]}' "input kept as JSON"
wait_log "$id2: Function 'hello_sequence (Orchestrator)' completed"
like "$(cat "$HOST_LOG")" "$id2: Function 'hello_sequence \\(Orchestrator\\)' started\\. IsReplay: False\\. Input: \\(Redacted 25 characters\\)" "the started line gives the input's length"

# --- bad input: clear errors, nothing created
is "$(http -X POST "$BASE/api/orchestrators/no_such_orchestrator")" "400" "unknown orchestrator is 400"
like "$(body)" "The function 'no_such_orchestrator' doesn't exist, is disabled, or is not an orchestrator function." "unknown orchestrator message"
is "$(http -X POST -d '{"city":' "$BASE/api/orchestrators/hello_sequence")" "400" "non-JSON input is 400"
like "$(body)" "Invalid JSON content" "non-JSON input message"
is "$(http -X POST "$BASE/api/test/start/test_orchestrator/$(head -c 300 /dev/zero | tr '\0' x)")" "400" "instance id over 256 characters"
like "$(body)" "longer than 256" "long id message"
is "$(http -X POST "$BASE/api/test/start/test_orchestrator/bad%01id")" "400" "instance id with a control character"
like "$(body)" "control characters" "control character message"
is "$(http -X POST "$BASE/api/test/start/test_orchestrator/@entity")" "400" "instance id starting with @"
is "$(http -X POST -d '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[' "$BASE/api/test/start/test_orchestrator")" "400" "input nested too deeply"

# --- ids that clients would treat as dot-segments stay usable in URLs
is "$(http -X POST --path-as-is "$BASE/runtime/webhooks/durabletask/orchestrators/test_orchestrator/..")" "202" "start with the id '..'"
is "$(jq -r .statusQueryGetUri "$BODY_FILE")" "$BASE/runtime/webhooks/durabletask/instances/%2E%2E?taskHub=TestHubName&connection=Storage" "'..' is percent-encoded in the URLs"
wait_status ".." "Completed"
ok $? "the '..' instance completes"
is "$(curl -s "$(jq -r .statusQueryGetUri "$BODY_FILE")" | jq -r .instanceId)" ".." "its statusQueryGetUri works as given"
is "$(http -X POST "$BASE/api/test/start/test_orchestrator/a%FFb")" "400" "an id that is not UTF-8 is refused"
like "$(body)" "not valid UTF-8" "with the reason"

# --- explicit ids: reuse only once the instance ended
is "$(http -X POST "$BASE/api/test/start/test_waiter/wait-1")" "202" "explicit instance id"
is "$(body)" "wait-1" "the id is kept"
is "$(http -X POST "$BASE/api/test/start/test_waiter/wait-1")" "409" "the id of a running instance cannot be reused"
like "$(body)" "An Orchestration instance with the status (Pending|Running) already exists." "reuse message"
is "$(http -X POST -d '"go!"' "$BASE/api/test/raise/wait-1/go")" "202" "raise (event names are case-insensitive)"
wait_status wait-1 "Completed"
is "$(printf '%s' "$WS" | jq -c .output)" '"go!"' "the event data reaches the orchestrator"
is "$(http -X POST -d '1' "$BASE/api/test/raise/wait-1/Go")" "410" "raise to a completed instance is 410"
like "$(body)" "Instance 'wait-1' is Completed" "and cf_last_error says why (the engine's message reaches the app)"
is "$(http -X POST -d '1' "$BASE/api/test/raise/nobody/Go")" "404" "raise to an unknown instance is 404"
is "$(http -X POST -d 'not json' "$BASE/api/test/raise/wait-1/Go")" "400" "raise with non-JSON data is 400"
is "$(http -X POST -d '{"again":true}' "$BASE/api/test/start/test_waiter/wait-1")" "202" "a completed instance's id can be reused"
wait_status wait-1 "Running|Pending"
is "$(printf '%s' "$WS" | jq -c .input)" '{"again":true}' "the new execution has the new input"
is "$(printf '%s' "$WS" | jq -c .output)" 'null' "and no old output"

# --- an activity that fails every time fails the orchestration with its message
is "$(http -X POST "$BASE/api/test/start/test_fails")" "202" "start test_fails"
fid=$(body)
wait_status "$fid" "Failed"
ok $? "the orchestration fails"
is "$(printf '%s' "$WS" | jq -r .output)" "Orchestrator function 'test_fails' failed: Activity function 'test_fail_activity' failed: boom" "failure output names orchestrator, activity and message"
is "$(printf '%s' "$WS" | jq -r '.historyEvents[] | select(.EventType == "TaskFailed") | .Reason')" "Activity function 'test_fail_activity' failed: boom" "TaskFailed reason in history"
wait_log "$fid: Function 'test_fails (Orchestrator)' failed"
log=$(cat "$HOST_LOG")
like "$log" "\\] $fid: Function 'test_fail_activity \\(Activity\\)' failed with an error\\. Reason: boom\\. IsReplay: False\\. State: Failed\\. RuntimeStatus: Failed\\. $tail_re TaskEventId: 0$" "activity failure line: instance id, reason"
like "$log" "\\] $fid: Function 'test_fails \\(Orchestrator\\)' failed with an error\\. Reason: Orchestrator function 'test_fails' failed: Activity function 'test_fail_activity' failed: boom\\. IsReplay: False\\. State: Failed\\. RuntimeStatus: Failed\\. $tail_re TaskEventId: -1$" "orchestrator failure line: instance id, reason unquoted"
if grep -q "$fid: Function 'test_fails (Orchestrator)' completed" "$HOST_LOG"; then ok 1 "a failed orchestration has no completed line"; else ok 0 "a failed orchestration has no completed line"; fi
# The console reports both failures like func, each Executed line before the
# Host.Triggers.DurableTask line that explains it.
i=0; until grep -q "Executed 'Functions.test_fails' (Failed" "$HOST_LOG" || [ $i -ge 200 ]; do sleep 0.02; i=$((i + 1)); done
log=$(cat "$HOST_LOG")
like "$log" "Executed 'Functions.test_fail_activity' \\(Failed, Id=[0-9a-f-]{36}, Duration=[0-9]+ms\\)" "failed activity: Executed (Failed) line"
like "$log" "Executed 'Functions.test_fails' \\(Failed, Id=[0-9a-f-]{36}, Duration=[0-9]+ms\\)" "failed episode: Executed (Failed) line"
first=$(grep -n -m1 "Executed 'Functions.test_fail_activity' (Failed" "$HOST_LOG" | cut -d: -f1)
why=$(grep -n -m1 "Function 'test_fail_activity (Activity)' failed" "$HOST_LOG" | cut -d: -f1)
ok "$([ -n "$first" ] && [ -n "$why" ] && [ "$first" -lt "$why" ] && echo 0 || echo 1)" "the activity's Executed line comes before its reason"

# --- POST /admin/functions/{name} fires non-HTTP functions in the background
is "$(http -X POST -d '{"input":"\"by hand\""}' "$BASE/admin/functions/test_activity")" "202" "admin invoke of an activity"
i=0; until grep -q "Executed 'Functions.test_activity' (Succeeded" "$HOST_LOG" || [ $i -ge 200 ]; do sleep 0.02; i=$((i + 1)); done
like "$(cat "$HOST_LOG")" "Executed 'Functions.test_activity' \\(Succeeded" "the activity ran"
is "$(http -X POST -d '{"input":"{\"a\":1}"}' "$BASE/admin/functions/test_orchestrator")" "202" "admin invoke of an orchestrator"
# Find it through the management API's listing: the only test_orchestrator so far.
i=0
while :; do
	aid=$(curl -s "$BASE/runtime/webhooks/durabletask/instances" | jq -r '[.[] | select(.name == "test_orchestrator" and .input.a == 1)][0].instanceId // empty')
	[ -n "$aid" ] || [ $i -ge 200 ] && break
	sleep 0.02
	i=$((i + 1))
done
wait_status "$aid" "Completed"
is "$(printf '%s' "$WS" | jq -c .output)" '{"a":1}' "the admin-started orchestration got the input as JSON"
is "$(http -X POST -d '{"input":"x"}' "$BASE/admin/functions/test_start")" "400" "admin invoke of an HTTP function is refused"

# --- an unknown activity name fails the orchestration when it is scheduled
is "$(http -X POST "$BASE/api/test/start/test_unknown_activity")" "202" "start test_unknown_activity"
uid=$(body)
wait_status "$uid" "Failed"
like "$(printf '%s' "$WS" | jq -r .output)" "The function 'no_such_activity' doesn't exist, is disabled, or is not an activity function." "unknown activity message"

# --- an orchestrator that changes its calls between replays
is "$(http -X POST "$BASE/api/test/start/test_nondet")" "202" "start test_nondet"
nid=$(body)
wait_status "$nid" "Failed"
ok $? "non-determinism fails the orchestration"
like "$(printf '%s' "$WS" | jq -r .output)" "^Non-Deterministic workflow detected: .*sequence number 0.*test_activity.*test_fail_activity" "the message names the sequence number, the expected and the actual call"

# --- durable timers never fire early; custom status is visible meanwhile
is "$(http -X POST -d '{"ms":400}' "$BASE/api/test/start/test_timer")" "202" "start a 400 ms timer"
tid=$(body)
wait_status "$tid" "Running"
is "$(printf '%s' "$WS" | jq -c .customStatus)" '{"phase":"waiting"}' "custom status while waiting"
wait_status "$tid" "Completed"
is "$(printf '%s' "$WS" | jq -c .customStatus)" '{"phase":"done"}' "custom status after the timer"
ok "$(printf '%s' "$WS" | jq -e '.output.woke_at >= .output.fire_at' >/dev/null; echo $?)" "the timer did not fire early"

# --- a timer that falls due while the host is down fires right after the restart
is "$(http -X POST -d '{"ms":1200}' "$BASE/api/test/start/test_timer")" "202" "start a 1.2 s timer"
oid=$(body)
wait_status "$oid" "Running"
due_ms=$(printf '%s' "$WS" | jq -r '.historyEvents[] | select(.EventType == "TimerCreated") | .FireAt' | head -1)
kill -9 "$HOST_PID"
wait "$HOST_PID" 2>/dev/null
HOST_PID=""
# Stay down until the due time has passed (the scenario, not a synchronisation).
due_s=$(date -d "$due_ms" +%s)
while [ "$(date +%s)" -le "$due_s" ]; do sleep 0.1; done
start_host "$root"
restarted=$(date +%s%N)
wait_status "$oid" "Completed"
ok $? "the overdue timer fired after the restart"
elapsed_ms=$((($(date +%s%N) - restarted) / 1000000))
ok "$([ "$elapsed_ms" -lt 3000 ]; echo $?)" "right after it ($elapsed_ms ms)"
ok "$(printf '%s' "$WS" | jq -e '.output.woke_at >= .output.fire_at' >/dev/null; echo $?)" "and not before its due time"

# --- an activity that kills the host every time is poisoned after maxDequeueCount
# Only in process (--in-process) can app code kill the host: with worker
# processes the crash fails the attempt at once (workers_crash.sh).
stop_host
start_host "$root" --in-process
# The host may die before the 202 goes out: the start committed before the
# activity could run, so the explicit id is enough to follow it.
http -X POST "$BASE/api/test/start/test_poison/poison-1" >/dev/null
pid_=poison-1
crashes=0
while [ $crashes -lt 5 ]; do
	# The activity kills the host; wait (bounded) for it to die, restart.
	i=0
	while kill -0 "$HOST_PID" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	kill -0 "$HOST_PID" 2>/dev/null && break
	wait "$HOST_PID" 2>/dev/null
	crashes=$((crashes + 1))
	start_host "$root" --in-process
	st=$(curl -s "$BASE/api/test/status/$pid_" | jq -r .runtimeStatus)
	[ "$st" = Failed ] && break
done
is "$crashes" "2" "the activity ran maxDequeueCount (2) times"
wait_status "$pid_" "Failed"
like "$(printf '%s' "$WS" | jq -r .output)" "Activity function 'test_crash_activity' failed: poisoned: the activity was started 2 times without completing" "poisoned with details"
wait_log "$pid_: Function 'test_crash_activity (Activity)' failed with an error"
like "$(cat "$HOST_LOG")" "\\] $pid_: Function 'test_crash_activity \\(Activity\\)' failed with an error\\. Reason: poisoned: the activity was started 2 times without completing \\(maxDequeueCount 2\\)\\. IsReplay: False\\. State: Failed\\. RuntimeStatus: Failed\\. $tail_re TaskEventId: 0$" "the poisoning is logged with the instance id, func's way"

stop_host
is "$HOST_RC" "0" "clean shutdown"

# --- hubName from an app setting: a separate task hub file, isolated
hub_root="$T_DIR/hub"
make_root "$hub_root" "[\"$ABI/testapp.so\"]" '"extensions": { "durableTask": { "hubName": "%MY_HUB%" } }'
printf '{ "IsEncrypted": false, "Values": { "MY_HUB": "OtherHub" } }\n' >"$hub_root/local.settings.json"
start_host "$hub_root"
is "$(http -X POST "$BASE/api/test/start/test_orchestrator/hubbed")" "202" "start in the other hub"
wait_status hubbed "Completed"
ok "$([ -f "$hub_root/.cfunc/OtherHub.db" ] && [ ! -f "$hub_root/.cfunc/TestHubName.db" ]; echo $?)" "the hub file is named after the resolved setting"
stop_host
printf '{ "IsEncrypted": false, "Values": { "MY_HUB": "Third1" } }\n' >"$hub_root/local.settings.json"
start_host "$hub_root"
is "$(http "$BASE/api/test/status/hubbed")" "404" "another hub does not see its instances"
stop_host
printf '{ "IsEncrypted": false, "Values": { "MY_HUB": "no" } }\n' >"$hub_root/local.settings.json"
(cd "$hub_root" && "$CFUNC" start --port 0) >"$T_DIR/out" 2>&1
is "$?" "1" "an invalid hub name stops the host"
like "$(cat "$T_DIR/out")" "Task hub name 'no' should contain only alphanumeric characters, start with a letter, and have length between 3 and 45." "invalid hub name message"

# --- the instance-id lines follow the function's log level, failures excepted
quiet="$T_DIR/quiet"
make_root "$quiet" "[\"$ABI/testapp.so\", \"$CFUNC_BUILD/samples/durable_hello.so\"]" \
	'"logging": { "logLevel": { "Function": "Warning" } }'
start_host "$quiet"
code=$(http -X POST "$BASE/api/orchestrators/hello_sequence")
qid=$(jq -r .id "$BODY_FILE")
wait_status "$qid" "Completed"
is "$(http -X POST "$BASE/api/test/start/test_fails")" "202" "a failing one too"
qfid=$(body)
wait_status "$qfid" "Failed"
wait_log "$qfid: Function 'test_fails (Orchestrator)' failed"
if grep -q "$qid: Function" "$HOST_LOG"; then ok 1 "Function at Warning: no started/completed lines"; else ok 0 "Function at Warning: no started/completed lines"; fi
like "$(cat "$HOST_LOG")" "$qfid: Function 'test_fail_activity \\(Activity\\)' failed with an error\\. Reason: boom" "failures still show (Host.Triggers.DurableTask at Error)"
stop_host
done_testing
