#!/bin/sh
# workers_crash_loop.sh - an app whose workers keep dying is stopped, not
# restarted forever: after 3 x its worker count deaths within 60 s it is
# marked failed in /admin/host/status, its routes answer 503 with a body
# that says why, a console line says what happened, and another app in the
# same host keeps serving. A worker that was running a call when its app
# was marked failed finishes that call, then is stopped, not given back.
. "$CFUNC_ROOT/tests/lib.sh"
. "$CFUNC_ROOT/tests/lib_workers.sh"

# "workers": 2 -> 2 processes per app for calls + 2 for episodes, so the
# bound is 3 x 4 = 12 deaths; and 2 HTTP threads, so the crashes below are
# served while another request sleeps.
workers_root 2 - "$ABI/crashy.so" "$ABI/testapp.so"
start_workers_host

# A call that runs through the whole crash loop, in the app's other worker.
rm -f "$R/sleeping.pid"
http "$BASE/api/sleep?ms=5000" >"$T_DIR/sleep.code" &
sleeper=$!
busy=$(sleeper_pid)
ok "$([ -n "$busy" ]; echo $?)" "a worker is busy with a 5 s call"

i=1
while [ $i -le 11 ]; do
	is "$(http "$BASE/api/crash/segv")" 500 "crash $i of 12 answers 500"
	i=$((i + 1))
done
is "$(http "$BASE/api/ok")" 200 "after 11 deaths the app still serves (replacements)"
is "$(http "$BASE/api/crash/abort")" 500 "the 12th crash answers 500 too"
like "$(grep "the app failed" "$HOST_LOG")" \
	"Worker process [0-9]+ of app 'crashy' died \(SIGABRT\) while running 'crash'.*the app failed: 12 worker deaths within 60 s" \
	"one console line says the app failed and why"
code=$(http "$BASE/api/ok")
is "$code" 503 "its routes now answer 503"
like "$(body)" "crashy.*kept crashing" "with a body that names the app and the reason"
is "$(curl -s "$BASE/admin/host/status" | jq -c '.workers.failedApps')" '["crashy"]' \
	"/admin/host/status lists the failed app"
is "$(http "$BASE/api/echo/still?q=1")" 200 "another app in the same host keeps serving"
is "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/admin/host/status")" 200 "and so does the host itself"
ok "$(kill -0 "$sleeper" 2>/dev/null && kill -0 "$busy" 2>/dev/null; echo $?)" \
	"the busy worker was still running its call when the app failed"
wait "$sleeper"
is "$(cat "$T_DIR/sleep.code")" 200 "… and finishes it after the app failed"
wait_gone "$busy"
ok $? \
	"then that worker is stopped: no worker runs a failed app"
n=$(pgrep -P "$HOST_PID" | wc -l | tr -d ' ')
is "$n" 4 "no worker of the failed app is restarted (only the other app's 4 remain)"

stop_host TERM
is "$HOST_RC" 0 "the host stops cleanly"

# kill -9 of the host: its workers do not outlive it.
start_host "$R" --worker-processes
kids=$(pgrep -P "$HOST_PID" | tr '\n' ' ')
ok "$([ -n "$kids" ]; echo $?)" "a new host has workers ($kids)"
kill -9 "$HOST_PID"
wait "$HOST_PID" 2>/dev/null
HOST_PID=""
left=1
i=0
while [ $i -lt 100 ]; do
	left=0
	for k in $kids; do kill -0 "$k" 2>/dev/null && left=$((left + 1)); done
	[ "$left" -eq 0 ] && break
	sleep 0.05
	i=$((i + 1))
done
is "$left" 0 "kill -9 of the host takes its workers with it"
done_testing
