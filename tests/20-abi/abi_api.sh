#!/bin/sh
# The app ABI as an app author meets it: cfunc.h compiles from C99 and C++
# and apps built that way load and run; handles are checked at compile time
# and at run time; flags, sized structs, cf_orch_send_event and the JSON
# helpers' one calling convention behave as the header says.
. "$(dirname "$0")/../lib.sh"
ABI="$CFUNC_BUILD/tests/20-abi"
INC="$CFUNC_ROOT/include"
CC=${CC:-cc}
CXX=${CXX:-g++}

# wait_done <id> <status>: waits (15 s at most) until the instance has that
# runtimeStatus; the status object, with history, is left in $ST.
wait_done() {
	wait_for "$1" ".runtimeStatus == \"$2\"" "?showHistory=true&showHistoryOutput=true"
}

# --- compile-time handle checks: a non-handle is an error, a handle is not
cat >"$T_DIR/handles.h" <<'EOF'
#include <cfunc.h>
static cf_rc f(cf_http *h);
static cf_rc f(cf_http *h)
{
	const char *json = "{}";
	cf_task *task = 0;
	(void)h;
	(void)json;
	(void)task;
	ARG_USE;
	return CF_OK;
}
EOF
# compiles <lang> <expression>: 0 when a file using it compiles; the
# compiler's complaints are left in $T_DIR/cc.err.
compiles() {
	_c_src="$T_DIR/use.$1"
	printf '#define ARG_USE %s\n#include "%s"\n' "$2" "$T_DIR/handles.h" >"$_c_src"
	case $1 in
	c11) "$CC" -std=c11 -Wall -Wextra -Werror -I"$INC" -x c -fsyntax-only "$_c_src" 2>"$T_DIR/cc.err" ;;
	c99) "$CC" -std=c99 -pedantic -Wall -Wextra -Werror -I"$INC" -x c -fsyntax-only "$_c_src" 2>"$T_DIR/cc.err" ;;
	cxx) "$CXX" -std=c++17 -pedantic -Wall -Wextra -Werror -I"$INC" -x c++ -fsyntax-only "$_c_src" 2>"$T_DIR/cc.err" ;;
	esac
}
# refused <lang> <expression> <what the compiler must say> <description>
refused() {
	if compiles "$1" "$2"; then
		ok 1 "$4"
	else
		like "$(cat "$T_DIR/cc.err")" "$3" "$4"
	fi
}
for lang in c11 cxx; do
	if [ $lang = c11 ]; then why="not compatible with any association"; else why="no matching function for call to .cf__ctx"; fi
	compiles $lang 'cf_log(h, CF_LOG_INFO, "x %d", 1)'
	ok $? "$lang: cf_log on a cf_http compiles"
	compiles $lang 'cf_alloc(h, 8); cf_json_get(h, json, "k"); cf_last_error(h)'
	ok $? "$lang: cf_alloc, cf_json_get, cf_last_error on a cf_http compile"
	refused $lang 'cf_log(task, CF_LOG_INFO, "x")' "$why" "$lang: cf_log on a cf_task is a compile error"
	refused $lang 'cf_alloc(json, 8)' "$why" "$lang: cf_alloc on a const char * is a compile error"
	refused $lang 'cf_json_string(&json, json, "k")' "$why" "$lang: cf_json_string on a const char ** is a compile error"
done
compiles c11 'cf_log(NULL, CF_LOG_INFO, "no handle")'
ok $? "c11: cf_log(NULL, ...) compiles"
compiles cxx 'cf_log(nullptr, CF_LOG_INFO, "no handle")'
ok $? "cxx: cf_log(nullptr, ...) compiles"
compiles c99 'cf_log(cf_http_ctx(h), CF_LOG_INFO, "x"); cf_fmt(cf_http_ctx(h), "%d", 1)'
ok $? "c99 -pedantic: the helpers on cf_http_ctx(h) compile"
refused c99 'cf_log(h, CF_LOG_INFO, "x")' "incompatible pointer type" "c99 -pedantic: a bare cf_http * (no cf_http_ctx) is refused"
compiles c99 'struct cf_retry r = CF_RETRY_INIT(1000, 3); (void)r'
ok $? "c99: CF_RETRY_INIT initialises a struct cf_retry"
compiles cxx 'struct cf_retry r = CF_RETRY_INIT(1000, 3); (void)r'
ok $? "cxx: CF_RETRY_INIT initialises a struct cf_retry"

# --- apps built as C99 and as C++17 load and run next to a C11 one
root="$T_DIR/lang"
make_root "$root" "[\"$ABI/lang/c99_app.so\", \"$ABI/lang/cxx_app.so\", \"$ABI/testapp.so\"]"
start_host "$root"
ok $? "host starts with a C99 app and a C++ app"
log=$(cat "$HOST_LOG")
printf '%s' "$log" | grep -q "Refusing"
ok $((! $?)) "no app is refused"
like "$log" "c99 app registered" "the C99 app's init logs through cf_log(cf_app_ctx(app), ...)"
like "$log" "cxx app registered" "the C++ app's init logs through cf_log(app, ...)"
like "$log" "$(printf '\tc99_sequence: orchestrationTrigger')" "the C99 orchestrator is listed"
like "$log" "$(printf '\tcxx_upper: activityTrigger')" "the C++ activity is listed"
is "$(http "$BASE/api/c99/hello?name=abi")" "200" "C99 HTTP function answers"
is "$(body)" "Hello from C99, abi!" "C99 HTTP function body"
is "$(http "$BASE/api/cxx/hello?name=abi")" "200" "C++ HTTP function answers"
is "$(body)" "Hello from C++, abi!" "C++ HTTP function body"
like "$(cat "$HOST_LOG")" "c99 hello for abi" "C99 function log line"
like "$(cat "$HOST_LOG")" "cxx hello for abi" "C++ function log line"

is "$(http -X POST -d '21' "$BASE/api/test/start/c99_sequence/c99-one")" "202" "start the C99 orchestrator"
wait_done c99-one Completed
ok $? "the C99 orchestration completes (activity with a CF_RETRY_INIT policy)"
is "$(printf '%s' "$ST" | jq -c .output)" '{"c99":42}' "C99 orchestration output"
is "$(http -X POST -d '"abc"' "$BASE/api/test/start/cxx_sequence/cxx-one")" "202" "start the C++ orchestrator"
wait_done cxx-one Completed
ok $? "the C++ orchestration completes"
is "$(printf '%s' "$ST" | jq -c .output)" '{"cxx":"ABC"}' "C++ orchestration output"
is "$(http "$BASE/api/cxx/status/cxx-one")" "200" "C++ app reads the status (CF_STATUS_NO_INPUT)"
is "$(jq -c '[.input, .output, has("historyEvents")]' "$BODY_FILE")" '[null,{"cxx":"ABC"},false]' "CF_STATUS_NO_INPUT: no input, no history"

# --- cf_durable_status flags
is "$(http "$BASE/api/test/status/cxx-one?flags=0")" "200" "status with flags 0"
is "$(jq -c '[.input, has("historyEvents")]' "$BODY_FILE")" '["abc",false]' "flags 0: input, no history (the management API's defaults)"
http "$BASE/api/test/status/cxx-one?flags=2" >/dev/null
is "$(jq -c '[.historyEvents[] | select(.EventType == "ExecutionCompleted") | has("Result")]' "$BODY_FILE")" '[false]' "CF_STATUS_HISTORY: history without outputs"
http "$BASE/api/test/status/cxx-one?flags=6" >/dev/null
is "$(jq -c '[.historyEvents[] | select(.EventType == "ExecutionCompleted") | .Result]' "$BODY_FILE")" '[{"cxx":"ABC"}]' "CF_STATUS_HISTORY_OUTPUT adds the outputs"
is "$(http "$BASE/api/test/status/cxx-one?flags=0x100")" "400" "unknown status flags are refused"
like "$(body)" "unknown flags 0x100" "the refusal names the flags"

# --- cf_durable_restart flags
is "$(http -X POST "$BASE/api/test/restart/c99-one?flags=0")" "202" "restart under the same id"
is "$(body)" "c99-one" "flags 0 keeps the instance id"
is "$(http -X POST "$BASE/api/test/restart/c99-one?flags=1")" "202" "restart with CF_RESTART_NEW_INSTANCE_ID"
new_id=$(body)
like "$new_id" "^[0-9a-f]{32}$" "CF_RESTART_NEW_INSTANCE_ID gives a new id"
wait_done "$new_id" Completed
ok $? "the restarted copy runs to completion"
is "$(printf '%s' "$ST" | jq -c '[.input, .output]')" '[21,{"c99":42}]' "the copy ran with the original input"
is "$(http -X POST "$BASE/api/test/restart/c99-one?flags=2")" "400" "unknown restart flags are refused"

# --- cf_orch_send_event: one orchestration raises an event on another
is "$(http -X POST "$BASE/api/test/start/test_waiter/send-target")" "202" "start the waiting instance"
wait_for send-target '.runtimeStatus == "Running"'
ok $? "the waiter runs"
is "$(http -X POST -d '{"target":"send-target","name":"Go","data":{"n":7}}' "$BASE/api/test/start/test_sender/sender-one")" "202" "start the sender"
wait_done sender-one Completed
ok $? "the sender completes"
is "$(printf '%s' "$ST" | jq -c '[.output, [.historyEvents[] | select(.EventType == "EventSent") | .InstanceId // .Name]]')" '["sent",["send-target"]]' "the sender's history shows one EventSent to the target"
wait_done send-target Completed
ok $? "the event sent by an orchestration completes the waiter"
is "$(printf '%s' "$ST" | jq -c .output)" '{"n":7}' "the waiter got the event's data"
is "$(http -X POST -d '{"target":"send-target"}' "$BASE/api/test/start/test_sender/sender-bad")" "202" "start a sender without an event name"
wait_done sender-bad Failed
ok $? "cf_orch_send_event without a name fails the orchestration"
like "$(printf '%s' "$ST" | jq -r .output)" "needs an instance id and an event name" "with a message saying what is missing"

# --- cf_orch_continue_as_new flags
for f in 1 0; do
	is "$(http -X POST -d "{\"flags\":$f}" "$BASE/api/test/start/test_continue/cont-$f")" "202" "start test_continue with flags $f"
	wait_for "cont-$f" '.runtimeStatus == "Running"'
	http -X POST -d '"b"' "$BASE/api/test/raise/cont-$f/B" >/dev/null
	http -X POST -d '"a"' "$BASE/api/test/raise/cont-$f/A" >/dev/null
done
wait_done cont-1 Completed
is "$(printf '%s' "$ST" | jq -c .output)" '"kept"' "CF_CONTINUE_KEEP_EVENTS carries a buffered event into the new generation"
wait_done cont-0 Completed
is "$(printf '%s' "$ST" | jq -c .output)" '"dropped"' "flags 0 drops it"

# --- struct cf_retry carries its size
is "$(http -X POST "$BASE/api/test/start/test_retry_nosize/nosize")" "202" "start an orchestrator whose retry policy has no size"
wait_done nosize Failed
ok $? "a struct cf_retry without CF_RETRY_INIT fails the orchestration"
like "$(cat "$HOST_LOG")" "struct cf_retry has size 0, not [0-9]+: initialise it with CF_RETRY_INIT" "the log says to use CF_RETRY_INIT"

# --- the JSON helpers: (ctx, json, key, out) and one result type
http -X POST -d '{"count":3,"flag":true,"items":[1,2],"name":"x"}' "$BASE/api/test/json?key=count" >/dev/null
is "$(sed -n 1,4p "$BODY_FILE" | tr '\n' '|')" "check=0 |number=0 3|bool=-5 0|length=-5 0|" "a number member: CF_OK for cf_json_number, CF_E_INVALID for the other types"
http -X POST -d '{"items":[1,2,3]}' "$BASE/api/test/json?key=items" >/dev/null
like "$(cat "$BODY_FILE")" "length=0 3" "cf_json_length counts an array"
http -X POST -d '{"items":[1,{"k":"v"}]}' "$BASE/api/test/json?key=items.1.k" >/dev/null
like "$(cat "$BODY_FILE")" "string=v" "cf_json_string follows a dotted path"
http -X POST -d '{"a":1}' "$BASE/api/test/json?key=missing" >/dev/null
is "$(sed -n 2p "$BODY_FILE")" "number=-2 0" "an absent member is CF_E_NOTFOUND"
http -X POST -d '{"a":' "$BASE/api/test/json?key=a" >/dev/null
like "$(sed -n 1p "$BODY_FILE")" "^check=-5 .*line 1" "cf_json_check gives CF_E_INVALID and the parser's reason"

# --- cf_log(NULL, ...) logs instead of crashing
is "$(http "$BASE/api/test/lognull")" "200" "cf_log(NULL, ...) returns"
like "$(cat "$HOST_LOG")" "logged without a handle \\(no error\\)" "the line is logged and cf_last_error(NULL) is NULL"
stop_host TERM
is "$HOST_RC" "0" "host exits 0 on SIGTERM"

# --- a pointer that is not a handle stops the process running the app code
# with a clear message. By default that is a worker: the call fails with
# 500, the host lives on and replaces the worker.
root="$T_DIR/bad"
make_root "$root" "[\"$ABI/testapp.so\"]"
start_host "$root"
ok $? "host starts"
is "$(http "$BASE/api/test/badhandle")" "500" "with worker processes: the call fails with 500"
like "$(cat "$HOST_LOG")" "cfunc: fatal: cf_alloc\\(\\) was given 0x[0-9a-f]+, which is not a cfunc handle" "… the worker's message names the call and the pointer"
is "$(http "$BASE/api/test/lognull")" "200" "… and the host, with a new worker, serves the next call"
stop_host TERM
is "$HOST_RC" "0" "… and exits 0 on SIGTERM"

# In process (--in-process) the host itself aborts: that is what the
# option is for (the fault under a debugger, in one process).
start_host "$root" --in-process
ok $? "host starts with --in-process"
code=$(http "$BASE/api/test/badhandle")
is "$code" "000" "the request gets no answer"
i=0
while kill -0 "$HOST_PID" 2>/dev/null && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
if kill -0 "$HOST_PID" 2>/dev/null; then
	ok 1 "the host aborts"
	stop_host KILL
else
	wait "$HOST_PID"
	is "$?" "134" "the host aborts (SIGABRT)"
	HOST_PID=""
fi
like "$(cat "$HOST_LOG")" "cfunc: fatal: cf_alloc\\(\\) was given 0x[0-9a-f]+, which is not a cfunc handle" "the message names the call and the pointer"

done_testing
