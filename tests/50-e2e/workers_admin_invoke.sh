#!/bin/sh
# workers_admin_invoke.sh - with --worker-processes, POST
# /admin/functions/<activity> runs the activity in a worker of its app and
# waits for it: 202 when it ran; when it ends its worker (SIGSEGV, abort)
# 500 with a JSON body naming the function and the signal, as an HTTP
# function's crash answers, and one console line naming the worker's pid,
# the app, the function and the signal; past functionTimeout func's timeout
# message. The host and a control client are unaffected.
. "$CFUNC_ROOT/tests/lib.sh"
. "$CFUNC_ROOT/tests/lib_workers.sh"

workers_root 2 00:00:02 "$ABI/crashy_durable.so"
start_workers_host

invoke() { http -X POST -H 'Content-Type: application/json' -d "{\"input\":\"$1\"}" \
	"$BASE/admin/functions/crash_act"; }

is "$(invoke ok)" 202 "an activity invoked through the admin API answers 202"
is "$(cat "$R/act-ran" 2>/dev/null)" ok "… after it ran (in a worker, waited for)"

control_start

for kind in segv:SIGSEGV abort:SIGABRT; do
	k=${kind%%:*}
	sig=${kind#*:}
	code=$(invoke "$k")
	is "$code $(jq -r '.function + " " + .signal' "$BODY_FILE" 2>/dev/null)" "500 crash_act $sig" \
		"$k: 500 naming the function and $sig"
	id=$(jq -r .invocationId "$BODY_FILE" 2>/dev/null)
	like "$(grep -F "Id=$id)" "$HOST_LOG" | grep -F 'Worker process')" \
		"Worker process [0-9]+ of app 'crashy_durable' died \($sig\) while running 'crash_act' \(Id=$id\); replaced by process [0-9]+" \
		"$k: one console line names the worker's pid, the app, the function and $sig"
done

is "$(invoke spin)" 500 "an activity past functionTimeout answers 500"
is "$(jq -r .error "$BODY_FILE")" "Timeout value of 2000 ms was exceeded by function: Functions.crash_act" \
	"… with func's timeout message"
like "$(grep "while running 'crash_act'" "$HOST_LOG" | tail -1)" "died \(SIGKILL\)" \
	"… and its worker was killed"

is "$(invoke ok)" 202 "the activity runs again afterwards"
is "$(tr '\n' ' ' <"$R/act-ran")" "ok ok " "… and it ran (twice in all)"

control_stop
ok $? "the control client's $CONTROL_TOTAL requests all succeeded meanwhile ($CONTROL_GOOD x 200)"
ok "$(kill -0 "$HOST_PID" 2>/dev/null; echo $?)" "the host is still up"
stop_host
is "$HOST_RC" 0 "the host stops cleanly"
done_testing
