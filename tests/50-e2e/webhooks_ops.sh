#!/bin/sh
# Durable management webhooks, part 2: raise event, terminate, suspend,
# resume, rewind, restart, purge - every status code of §4.4-§4.11 and the
# §6 state/operation matrix. Spec: durable-http-api.md.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/webhooks.inc"

wh_start_host "$T_DIR/app"
ok $? "host starts"
JSON='Content-Type: application/json'

# post <id/op...> [curl args]: POST $W/instances/<id/op...>; prints the status.
post() {
	_p=$1
	shift
	req -X POST "$@" "$W/instances/$_p"
}
# empty_body: 1 if the last body was empty and had no Content-Type.
empty_body() {
	[ ! -s "$BODY_FILE" ] && ! has_hdr Content-Type
	echo $?
}

# One instance in each state the matrix has (Pending is too brief to hold).
start wh_wait run >/dev/null
start wh_wait susp >/dev/null
start hello_sequence "done" >/dev/null
start wh_fail failed >/dev/null
start wh_wait term >/dev/null
wait_for run Running && wait_for susp Running && wait_for term Running
ok $? "Running instances"
is "$(post susp/suspend?reason=paused)" 202 "suspend Running: 202"
ok "$(empty_body)" "… empty body, no Content-Type"
wait_for susp Suspended
ok $? "… becomes Suspended"
is "$(printf '%s' "$WS" | jq -r .output)" "paused" "the suspend reason is the output"
is "$(post term/terminate?reason=stop)" 202 "terminate Running: 202"
ok "$(empty_body)" "… empty body"
wait_for term Terminated
ok $? "… becomes Terminated"
is "$(printf '%s' "$WS" | jq -r .output)" "stop" "the terminate reason is the output"
wait_for "done" Completed && wait_for failed Failed
ok $? "Completed and Failed instances"

# --- raise event (§4.6) --------------------------------------------------------
is "$(post run/raiseEvent/go)" 400 "raise without Content-Type: 400"
is "$(body)" '{"Message":"Only application/json request content is supported"}' "… the exact plain error body"
is "$(post run/raiseEvent/go -H 'Content-Type: text/plain' -d '"x"')" 400 "raise with text/plain: 400"
is "$(post run/raiseEvent/go -H 'Content-Type: application/jsonx' -d '"x"')" 400 "raise with application/jsonx: 400"
is "$(post run/raiseEvent/go -H "$JSON")" 400 "raise with an empty JSON body: 400"
is "$(jb .Message)" "Invalid JSON content" "… Invalid JSON content"
is "$(post run/raiseEvent/go -H "$JSON" -d '{"a":')" 400 "raise with malformed JSON: 400"
is "$(jb .ExceptionType)" "Newtonsoft.Json.JsonReaderException" "… exception-style"
is "$(post nobody/raiseEvent/go)" 404 "raise to an unknown id (no Content-Type): 404 - existence first"
ok "$(empty_body)" "… empty body"
is "$(post done/raiseEvent/go)" 410 "raise to Completed (no Content-Type): 410 - state before content type"
ok "$(empty_body)" "… empty body"
is "$(post failed/raiseEvent/go -H "$JSON" -d 1)" 410 "raise to Failed: 410"
is "$(post term/raiseEvent/go -H "$JSON" -d 1)" 410 "raise to Terminated: 410"
is "$(post susp/raiseEvent/other -H "$JSON" -d 1)" 202 "raise to Suspended: 202"
is "$(post run/raiseEvent/other -H "$JSON" -d '{"unused":true}')" 202 "raise an event nobody waits for: 202"
is "$(post run/RAISEEVENT/go -H 'Content-Type: Application/JSON; charset=utf-8' -d '{"ok": [1, "two"]}')" 202 \
	"raise with a media type in another case and a charset: 202"
ok "$(empty_body)" "… empty body"
wait_for run Completed
ok $? "the waiting instance completes"
is "$(printf '%s' "$WS" | jq -c .output)" '{"ok":[1,"two"]}' "… with the event data"
start wh_wait ev-sp >/dev/null && wait_for ev-sp Running
is "$(post "ev-sp/raiseEvent/go%20now" -H "$JSON" -d '"spaced"')" 202 "event names are percent-decoded"
is "$(req "$W/instances/ev-sp?showHistory=true")" 202 "… history of the waiting instance"
wait_for ev-sp Running "showHistory=true"
is "$(printf '%s' "$WS" | jq -r '[.historyEvents[] | select(.EventType == "EventRaised") | .Name] | join(",")')" "go now" "… EventRaised with the decoded name"
is "$(post ev-sp/raiseEvent/go -H "$JSON" -d '"x"')" 202 "raise the awaited event"
wait_for ev-sp Completed "showHistory=true"
ok $? "… completes"
is "$(printf '%s' "$WS" | jq -c '[.historyEvents[] | select(.EventType == "EventRaised") | .Input]')" '["\"spaced\"","\"x\""]' \
	"EventRaised Input is the raw JSON text"

# --- terminate (§4.7) --------------------------------------------------------------
is "$(post nobody/terminate)" 404 "terminate unknown: 404"
ok "$(empty_body)" "… empty body"
for s in "done" failed term; do
	is "$(post "$s/terminate")" 410 "terminate $s: 410"
	ok "$(empty_body)" "… empty body"
done
start wh_wait t-sp >/dev/null && wait_for t-sp Running
is "$(post 't-sp/terminate?reason=my+reason%20here')" 202 "terminate with an encoded reason"
wait_for t-sp Terminated
is "$(printf '%s' "$WS" | jq -c .output)" '"my reason here"' "'+' and %20 in the reason are spaces"
start wh_wait t-raw >/dev/null && wait_for t-raw Running
is "$(req -X POST -G --data-urlencode 'reason=two words & "quotes"' "$W/instances/t-raw/terminate")" 202 \
	"terminate with a reason typed with spaces, '&' and quotes (curl encodes it)"
wait_for t-raw Terminated
is "$(printf '%s' "$WS" | jq -r .output)" 'two words & "quotes"' "… arrives verbatim; not JSON, so kept as a string"
start wh_wait t-bin >/dev/null && wait_for t-bin Running
is "$(post "t-bin/raiseEvent/bad%FFname" -H "$JSON" -d 1)" 400 "an event name that is not UTF-8: 400"
like "$(jb .ExceptionMessage)" "UTF-8" "… says so"
is "$(post "t-bin/terminate?reason=caf%E9")" 400 "terminate with a reason that is not UTF-8: 400"
like "$(jb .ExceptionMessage)" "reason is not valid UTF-8" "… says so"
is "$(post "t-bin/terminate?reason=caf%C3%A9")" 202 "… the same reason in UTF-8: 202"
wait_for t-bin Terminated
is "$(printf '%s' "$WS" | jq -r .output)" "café" "… and it is the output, intact"
start wh_wait t-num >/dev/null && wait_for t-num Running
post 't-num/terminate?reason=42' >/dev/null
wait_for t-num Terminated
is "$(printf '%s' "$WS" | jq -c .output)" "42" "a reason that is JSON is re-parsed: 42"
start wh_wait t-none >/dev/null && wait_for t-none Running
post t-none/TERMINATE >/dev/null
wait_for t-none Terminated
ok $? "operation names are case-insensitive"
is "$(printf '%s' "$WS" | jq -c .output)" "null" "no reason -> output null"
start wh_wait t-susp >/dev/null && wait_for t-susp Running
post t-susp/suspend >/dev/null && wait_for t-susp Suspended
is "$(post t-susp/terminate?reason=bye)" 202 "terminate Suspended: 202"
wait_for t-susp Terminated
ok $? "… becomes Terminated"

# --- suspend (§4.8) and resume (§4.9) --------------------------------------------
is "$(post susp/suspend)" 500 "suspend Suspended: 500"
is "$(jb .ExceptionType)" "System.InvalidOperationException" "… InvalidOperationException"
is "$(jb .Message)" "Something went wrong while processing your request" "… the dispatcher's 500 Message"
like "$(jb .ExceptionMessage)" "Suspended" "… names the state"
is "$(post nobody/suspend)" 404 "suspend unknown: 404"
for s in "done" failed term; do
	is "$(post "$s/suspend")" 410 "suspend $s: 410"
done
start wh_wait r-run >/dev/null && wait_for r-run Running
is "$(post r-run/resume)" 500 "resume Running: 500"
is "$(jb .ExceptionType)" "System.InvalidOperationException" "… InvalidOperationException"
is "$(post nobody/resume)" 404 "resume unknown: 404"
for s in "done" failed term; do
	is "$(post "$s/resume")" 410 "resume $s: 410"
done
is "$(post 'susp/resume?reason=back+again')" 202 "resume Suspended: 202"
ok "$(empty_body)" "… empty body"
wait_for susp Running
ok $? "… Running again"
is "$(printf '%s' "$WS" | jq -r .output)" "back again" "the resume reason is the output while Running"
is "$(post susp/raiseEvent/go -H "$JSON" -d '"after"')" 202 "raise after resume"
wait_for susp Completed
is "$(printf '%s' "$WS" | jq -r .output)" "after" "… completes"

# --- rewind (§4.10) -------------------------------------------------------------
flag="$T_DIR/flag"
start wh_flaky flaky "\"$flag\"" >/dev/null
wait_for flaky Failed
ok $? "the flaky orchestration fails"
is "$(post nobody/rewind)" 404 "rewind unknown: 404"
is "$(post done/rewind)" 410 "rewind Completed: 410"
is "$(post term/rewind)" 410 "rewind Terminated: 410"
is "$(post r-run/rewind)" 500 "rewind Running: 500"
is "$(jb .ExceptionType)" "System.InvalidOperationException" "… InvalidOperationException"
like "$(jb .ExceptionMessage)" "failed orchestration instances" "… only failed instances"
start wh_wait rw-susp >/dev/null && wait_for rw-susp Running
post rw-susp/suspend >/dev/null && wait_for rw-susp Suspended
is "$(post rw-susp/rewind)" 500 "rewind Suspended: 500"
: >"$flag"
is "$(post 'flaky/rewind?reason=try+again')" 202 "rewind Failed: 202"
ok "$(empty_body)" "… empty body"
wait_for flaky Completed
ok $? "the rewound orchestration completes"
is "$(printf '%s' "$WS" | jq -c .output)" '"recovered"' "… with the activity's new result"

# --- restart (§4.11) -------------------------------------------------------------
is "$(post done/restart)" 202 "restart Completed: 202"
nid=$(jb .id)
ok "$([ -n "$nid" ] && [ "$nid" != "done" ]; echo $?)" "… with a new instance id"
is "$(jb 'keys_unsorted | length')" 8 "… and the 8-key payload"
is "$(hdr Location)" "$W/instances/$nid?taskHub=TestHubName&connection=Storage" "… Location of the new instance"
is "$(hdr Retry-After)" 10 "… Retry-After: 10"
wait_for "$nid" Completed
is "$(printf '%s' "$WS" | jq -r .name)" "hello_sequence" "the restarted instance runs the same orchestrator"
is "$(post 'done/restart?restartWithNewInstanceId=false')" 202 "restart with the same id: 202"
is "$(jb .id)" "done" "… same id"
wait_for "done" Completed
ok $? "… completes again"
start wh_noop rs-in '{"keep":"me"}' >/dev/null && wait_for rs-in Completed
post 'rs-in/restart?restartWithNewInstanceId=false' >/dev/null
wait_for rs-in Completed
is "$(printf '%s' "$WS" | jq -c .input)" '{"keep":"me"}' "restart keeps the input"
is "$(post failed/restart)" 202 "restart Failed: 202"
is "$(post term/restart)" 202 "restart Terminated: 202"
is "$(post 'rw-susp/restart?restartWithNewInstanceId=false')" 500 "restart Suspended with the same id: 500"
is "$(jb .ExceptionType)" "DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException" "… already exists"
is "$(post 'r-run/restart?restartWithNewInstanceId=false')" 500 "restart Running with the same id: 500"
is "$(post r-run/restart)" 202 "restart Running with a new id: 202"
is "$(post nobody/restart)" 400 "restart unknown: 400"
is "$(jb .Message)" "InstanceId does not match a valid orchestration instance." "… Message"
is "$(jb .ExceptionType)" "System.ArgumentException" "… ArgumentException"
is "$(post 'done/restart?timeout=10&pollingInterval=0.05')" 200 "restart with timeout+pollingInterval: 200"
is "$(jc .)" '["Hello Tokyo!","Hello Seattle!","Hello London!"]' "… the output"

# --- purge one (§4.4) ------------------------------------------------------------
is "$(req -X DELETE "$W/instances/done")" 200 "purge Completed: 200"
is "$(body)" '{"instancesDeleted":1}' "… {\"instancesDeleted\":1}"
is "$(hdr Content-Type)" "application/json; charset=utf-8" "… JSON"
is "$(req "$W/instances/done")" 404 "purged: GET 404"
is "$(req -X DELETE "$W/instances/done")" 404 "purge again: 404"
ok "$(empty_body)" "… empty body"
is "$(req -X DELETE "$W/instances/nobody")" 404 "purge unknown: 404"
for s in failed term rw-susp r-run; do
	is "$(req -X DELETE "$W/instances/$s")" 200 "purge $s: 200 (the backend does not check the state)"
done
is "$(start wh_noop "done")" "done" "a purged id can be reused"
wait_for "done" Completed
ok $? "… and runs"
is "$(post done/raiseEvent/x -H "$JSON" -d 1)" 410 "the reused id is a new, completed instance"

stop_host TERM
is "$HOST_RC" 0 "host stops cleanly"
done_testing
