#!/bin/sh
# workers_failed_wait.sh - the durable work of an app marked failed after a
# crash loop waits instead of failing: its orchestrations stay Pending
# without a console line per retry, can be terminated, suspended and purged
# meanwhile (the suspend takes effect when the app runs), another app's orchestration completes, /admin/host/status says
# why the app failed, the retries back off, and after a deploy the waiting
# instances complete at once.
. "$CFUNC_ROOT/tests/lib.sh"
. "$CFUNC_ROOT/tests/lib_workers.sh"

# "workers": 1 -> 2 processes per app for calls + 2 for episodes, so the
# bound is 3 x 4 = 12 deaths.
workers_root 1 - "$ABI/crashy.so" "$ABI/testapp.so"
start_workers_host

I="$BASE/runtime/webhooks/durabletask/instances"
# start <orchestrator> <id> <input>: testapp's starter, which any app's
# orchestrator can be started through.
start() { http -X POST -d "$3" "$BASE/api/test/start/$1/$2"; }
# status <id>: its runtimeStatus.
status() { curl -s --max-time 5 "$I/$1" | jq -r .runtimeStatus; }

i=1
while [ $i -le 12 ]; do
	http "$BASE/api/crash/segv" >/dev/null
	i=$((i + 1))
done
is "$(http "$BASE/api/ok")" 503 "after 12 crashes the app is failed: its routes answer 503"
is "$(curl -s "$BASE/admin/host/status" | jq -c '.workers.failedApps')" '["crashy"]' \
	"/admin/host/status lists the failed app"
like "$(curl -s "$BASE/admin/host/status" | jq -r '.workers.failedAppReasons.crashy')" \
	"^12 worker deaths within 60 s; the last: SIGSEGV while running 'crash'$" \
	"… with the reason"
like "$(grep "the app failed" "$HOST_LOG")" "its durable work waits until the app is deployed again" \
	"the console line says its durable work waits"

is "$(start crashy_replay wait-ep '"back"')" 202 "an orchestration of the failed app is accepted"
is "$(start crashy_orch wait-act '"ok"')" 202 "… and one that calls an activity of it"
is "$(start crashy_replay wait-term '"t"')" 202 "… and one to terminate"
is "$(start crashy_replay wait-sus '"s"')" 202 "… and one to suspend"
is "$(start test_orchestrator other '"fine"')" 202 "an orchestration of the other app"
wait_for other '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -c .output)" '"fine"' "… completes while the first app is failed"

# Polled over ~2 s (two retry intervals): none fails, none runs, and no
# console line is written for the retries.
lines() { grep -c "crashy_replay\|crashy_orch\|crashy_activity\|wait-" "$HOST_LOG"; }
before=$(lines)
n=0
while [ $n -lt 8 ]; do
	status wait-ep
	status wait-act
	sleep 0.25
	n=$((n + 1))
done >"$T_DIR/seen"
is "$(sort -u "$T_DIR/seen" | tr '\n' ' ')" "Pending " \
	"its instances stay Pending over 2 s (not Failed, not run)"
is "$(lines)" "$before" "no console line per retry while they wait"
is "$(curl -s -o /dev/null -w '%{http_code}' "$I/wait-ep")" 202 "their status is read as usual (202: not finished)"

is "$(http -X POST "$I/wait-term/terminate?reason=stop")" 202 "terminate of a waiting instance: 202"
wait_for wait-term '.runtimeStatus == "Terminated"'
is "$(printf '%s' "$ST" | jq -r '[.runtimeStatus, .output] | join(" ")')" "Terminated stop" \
	"… it is terminated without the app"
is "$(http -X DELETE "$I/wait-term")" 200 "purge of it: 200"
is "$(curl -s -o /dev/null -w '%{http_code}' "$I/wait-term")" 404 "… it is gone"
is "$(http -X POST "$I/wait-sus/suspend?reason=later")" 202 "suspend of a waiting instance: 202"

# The retries back off while the app stays failed (1 s doubling, up to
# 30 s): let the wait grow past 4 s, so that a retry at the end of it would
# come well after the deploy below.
sleep 6
# Deploy the app again (as make does: a new file renamed over the old one).
deploy "$ABI/crashy_v2.so"
deployed=$(date +%s%N)
n=0
until [ "$(curl -s --max-time 5 "$BASE/api/version")" = 2 ] || [ $n -ge 200 ]; do
	sleep 0.05
	n=$((n + 1))
done
is "$(curl -s --max-time 5 "$BASE/api/version")" 2 "a deploy brings the app back"
is "$(curl -s "$BASE/admin/host/status" | jq -c '[.workers.failedApps, .workers.failedAppReasons]')" '[[],{}]' \
	"… it is no longer listed as failed"
wait_for wait-ep '.runtimeStatus == "Completed"'
took_ms=$((($(date +%s%N) - deployed) / 1000000))
is "$(printf '%s' "$ST" | jq -c '[.runtimeStatus, .output]')" '["Completed","back"]' \
	"the waiting orchestration runs and completes with its output"
ok "$([ "$took_ms" -lt 3000 ]; echo $?)" \
	"… at once after the deploy, not at the end of its backed-off wait (${took_ms} ms)"
wait_for wait-act '.runtimeStatus == "Completed"' '?showHistory=true'
is "$(printf '%s' "$ST" | jq -c '[.runtimeStatus, .output]')" '["Completed","fine"]' \
	"… and so does the one calling an activity"
is "$(printf '%s' "$ST" | jq '[.historyEvents[] | select(.EventType == "TaskFailed")] | length')" 0 \
	"… whose activity never failed"
# The suspend is applied with the first episode, after the code (which
# finishes at once) has run: as when a start and a suspend meet in one
# episode without any failure.
wait_for wait-sus '.runtimeStatus == "Completed"' '?showHistory=true'
is "$(printf '%s' "$ST" | jq -c '[.output, ([.historyEvents[].EventType] | index("ExecutionSuspended") != null)]')" \
	'["s",true]' "the suspended one got its suspend once its app ran"

stop_host TERM
is "$HOST_RC" 0 "the host stops cleanly"
done_testing
