#!/bin/sh
# dashboard_workers.sh - with --worker-processes, GET /admin/host/functions
# lists each app's workers (pid, state, calls served, what runs now) and the
# recent crashes (pid, function, id, signal, timed out, replacement); the
# dashboard's functions page shows them in headless chromium
# (dashboard/tests/workers.test.mjs), a hostile instance id as text; a
# crash loop marks the app failed, with the reason, on both.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_workers.sh"
. "$(dirname "$0")/dashboard.inc"

# "workers": 2 -> 2 HTTP threads (so /admin answers while a function
# sleeps) and per app 2 worker processes for calls + 2 for episodes: the
# crash-loop bound is 3 x 4 = 12 deaths.
workers_root 2 00:00:06 "$ABI/crashy.so" "$ABI/testapp.so"
cat >"$R/local.settings.json" <<'JSON'
{ "IsEncrypted": false, "Values": { "CRASHY_SECRET": "s3cr3t-not-for-the-dashboard" } }
JSON
start_workers_host
F="$BASE/admin/host/functions"
# workers <jq filter>: the filter applied to .workers of a fresh answer.
workers() { curl -s --max-time 10 "$F" | jq -c ".workers | $1"; }
# poll_workers <jq filter>: up to 10 s until the filter answers true.
poll_workers() {
	_p_i=0
	until [ "$(workers "$1")" = true ] || [ $_p_i -ge 200 ]; do sleep 0.05; _p_i=$((_p_i + 1)); done
	[ "$(workers "$1")" = true ]
}
CRASHY='.apps[] | select(.app == "crashy")'

# All but each app's first worker start after "Now listening": wait until
# they are up (bounded by poll_workers).
poll_workers "[.apps[].workers[] | .state == \"ready\"] | all and length == 8" >/dev/null
is "$(http "$F")" 200 "GET /admin/host/functions: 200"
is "$(jq -c '[.workers.apps[].app] | sort' "$BODY_FILE")" '["crashy","testapp"]' "… one entry per app"
is "$(jq -c "[.workers | $CRASHY | .state, .reason, (.workers | length)]" "$BODY_FILE")" '["ok",null,4]' \
	"… crashy is ok, with 2 workers for calls and 2 for episodes"
is "$(jq -c "[.workers | $CRASHY | .workers[] | [.state, .served, .current]] | unique" "$BODY_FILE")" '[["ready",0,null]]' \
	"… all ready, none has served a call yet"
is "$(jq -c "[.workers | $CRASHY | .workers[] | .episodes] | sort" "$BODY_FILE")" '[false,false,true,true]' \
	"… two of them run the episodes"
pids=$(jq -r ".workers | $CRASHY | .workers[].pid" "$BODY_FILE" | sort -n | tr '\n' ' ')
kids=$(pgrep -P "$HOST_PID" | sort -n | tr '\n' ' ')
ok "$(for p in $pids; do case " $kids " in *" $p "*) ;; *) exit 1 ;; esac; done; echo $?)" \
	"… their pids ($pids) are the host's children"
like "$(jq -r "[.workers | $CRASHY | .workers[0].started][0]" "$BODY_FILE")" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T.*Z$' \
	"… with the time each was started"
is "$(jq -c '.workers.recentCrashes' "$BODY_FILE")" '[]' "… and no crash yet"
if grep -q "s3cr3t-not-for-the-dashboard" "$BODY_FILE"; then ok 1 "no setting's value in the answer"; else ok 0 "no setting's value in the answer"; fi

# Busy: a sleeping function shows on the worker that runs it. The checks
# read the one answer that showed it busy, so a slow machine that answers
# after the sleep has ended cannot turn them into a race.
rm -f "$R/sleeping.pid"
http "$BASE/api/sleep?ms=3000" >"$T_DIR/sleep.code" &
sleeper=$!
snap="$T_DIR/busy.json"
_i=0
until [ $_i -ge 200 ]; do
	curl -s --max-time 10 "$F" >"$snap"
	[ "$(jq "[.workers | $CRASHY | .workers[] | select(.state == \"busy\")] | length == 1" "$snap")" = true ] && break
	sleep 0.05
	_i=$((_i + 1))
done
BUSY="$CRASHY | .workers[] | select(.state == \"busy\")"
is "$(jq -c "[.workers | $BUSY] | length" "$snap")" 1 "a worker running a function is busy"
is "$(jq -c "[.workers | $BUSY | .current | .function, .trigger, (.invocationId | test(\"^[0-9a-f-]{36}$\")), (.since | endswith(\"Z\"))]" "$snap")" \
	'["sleep","http",true,true]' "… with its function, trigger, invocation id and since when"
busy=$(jq -c "[.workers | $BUSY | .pid][0]" "$snap")
is "$busy" "$(sleeper_pid | tr -d '\n')" "… and the pid of the process that runs it"
wait "$sleeper"
is "$(workers "[$CRASHY | .workers[] | select(.pid == $busy) | .state, .served, .current]")" '["ready",1,null]' \
	"once it answered, that worker is ready again and has served 1 call"

# A crash: the record names the pid that died, the function, the id and the
# signal; the list shows the replacement with a new pid.
before=$(workers "[$CRASHY | .workers[] | select(.episodes | not) | .pid]")
is "$(http "$BASE/api/crash/segv")" 500 "crash/segv answers 500"
inv=$(jq -r .invocationId "$BODY_FILE")
# The 500 goes out before the replacement starts: the record names it once
# it is ready.
poll_workers ".recentCrashes[0].invocationId == \"$inv\" and .recentCrashes[0].replacedBy != null" >/dev/null
c=$(workers '.recentCrashes[0]')
is "$(printf '%s' "$c" | jq -c '[.app, .function, .trigger, .invocationId, .instanceId, .signal, .timedOut]')" \
	"[\"crashy\",\"crash\",\"http\",\"$inv\",null,\"SIGSEGV\",false]" \
	"recentCrashes[0]: app, function, trigger, the invocation id of the 500, the signal"
dead=$(printf '%s' "$c" | jq .pid)
new=$(printf '%s' "$c" | jq .replacedBy)
is "$(printf '%s' "$before" | jq "index($dead) != null")" true "… its pid is one of the workers that ran calls ($dead)"
like "$(wait_log "\(Id=$inv\); replaced by")" "Worker process $dead of app 'crashy' died \(SIGSEGV\).*replaced by process $new " \
	"… the same pid and replacement as the console line"
now=$(workers "[$CRASHY | .workers[].pid]")
is "$(printf '%s' "$now" | jq "[index($dead) == null, index($new) != null, length]" | tr -d ' \n')" '[true,true,4]' \
	"the worker list has the replacement ($new) instead of the dead one, still 4 workers"
is "$(workers "[$CRASHY | .workers[] | select(.pid == $new) | .state, .served]")" '["ready",0]' "… ready, nothing served yet"
like "$(printf '%s' "$c" | jq -r .time)" '^20[0-9]{2}-.*Z$' "… the crash has its time"

# functionTimeout: the kill is recorded as timed out.
is "$(http "$BASE/api/spin")" 500 "a function past functionTimeout answers 500"
poll_workers '.recentCrashes[0].function == "spin"'
is "$(workers '.recentCrashes[0] | [.function, .signal, .timedOut, (.replacedBy != null)]')" '["spin","SIGKILL",true,true]' \
	"… recorded as SIGKILL, timed out, replaced"

# An activity that aborts, in an instance whose id is markup: the record has
# the instance id as it is (the page must show it as text).
HOSTILE='<img src=x onerror="window.__pwned=1">'
enc=$(printf '%s' "$HOSTILE" | jq -sRr @uri)
code=$(http -X POST -H 'Content-Type: application/json' -d '"abort"' \
	"$BASE/runtime/webhooks/durabletask/orchestrators/crashy_orch/$enc")
is "$code" 202 "an orchestration whose activity aborts starts (id with markup)"
wait_for "$enc" '.runtimeStatus == "Failed"'
ok $? "… and fails after its 3 attempts"
is "$(workers "[.recentCrashes[] | select(.trigger == \"activity\")] | length")" 3 "each attempt is a crash in recentCrashes"
is "$(workers "[.recentCrashes[] | select(.trigger == \"activity\")][0] | [.function, .instanceId, .signal, (.invocationId | length > 0)]")" \
	"$(jq -cn --arg id "$HOSTILE" '["crashy_activity", $id, "SIGABRT", true]')" \
	"… naming the activity, the instance id as it is, SIGABRT and the attempt"
is "$(workers '[.recentCrashes[].time] == ([.recentCrashes[].time] | sort | reverse)')" true "recentCrashes are newest first"
is "$(workers "[.apps[] | select(.app == \"testapp\") | .state, (.workers | length)]")" '["ok",4]' "the other app is untouched"

# The functions page in the browser: workers, crashes, a busy worker, then
# a crash loop (the test provokes it) that marks the app failed.
dash_run workers.test.mjs CRASH_INV="$inv" HOSTILE="$HOSTILE"

# A crash loop marks the app failed (the browser test may have done it).
_i=0
until [ "$(http "$BASE/api/ok")" = 503 ] || [ $_i -ge 15 ]; do
	http "$BASE/api/crash/abort" >/dev/null
	_i=$((_i + 1))
done
is "$(http "$BASE/api/ok")" 503 "after 12 deaths the app's routes answer 503"
is "$(workers "[$CRASHY | .state][0]")" '"failed"' "its state is failed"
like "$(workers "[$CRASHY | .reason][0]")" "12 worker deaths within 60 s; the last: SIG[A-Z]+ while running 'crash'" \
	"… with the reason: the deaths, the window, the last signal and function"
poll_workers "[$CRASHY | .workers | length][0] == 0"
ok $? "… and no worker of it left"
is "$(workers '.recentCrashes[0] | [.app, .replacedBy]')" '["crashy",null]' "the last crash was not replaced"
is "$(workers '.recentCrashes | length')" 12 "the 12 crashes are all there"
is "$(workers "[.apps[] | select(.app == \"testapp\") | .state, (.workers | length)]")" '["ok",4]' "the other app is still ok"
is "$(curl -s "$BASE/admin/host/status" | jq -c .workers.failedApps)" '["crashy"]' "/admin/host/status agrees"

# A deploy: the failed app comes back; a worker of the previous build that
# is still running a call shows as replaced until it has answered.
TESTAPP='.apps[] | select(.app == "testapp")'
http "$BASE/api/slow?ms=5000" >"$T_DIR/slow.code" &
slow=$!
poll_workers "[$TESTAPP | .workers[] | select(.state == \"busy\" and .current.function == \"slow\")] | length == 1"
ok $? "a slow function runs in testapp"
prev=$(workers "[$TESTAPP | .workers[] | select(.state == \"busy\") | .pid][0]")
is "$(http -X POST "$BASE/admin/host/reload")" 202 "POST /admin/host/reload: 202"
poll_workers "[$CRASHY | .state == \"ok\" and .reason == null and (.workers | length) == 4 and all(.workers[]; .state == \"ready\")][0]"
ok $? "the deploy brings the failed app back: ok, 4 new workers ready"
poll_workers "[$TESTAPP | .workers | length][0] == 5"
is "$(workers "[$TESTAPP | .workers[] | select(.pid == $prev) | .state, .current.function]")" '["replaced","slow"]' \
	"testapp's worker of the previous build is replaced, still running its call"
is "$(workers "[$TESTAPP | .workers[] | select(.pid != $prev) | .state] | unique")" '["ready"]' "… beside 4 of the new build, ready"
wait "$slow"
is "$(cat "$T_DIR/slow.code")" 200 "its call answers"
poll_workers "[$TESTAPP | .workers | length == 4 and all(.[]; .pid != $prev)][0]"
ok $? "… then the previous build's worker is gone"
stop_host TERM
is "$HOST_RC" 0 "the host stops cleanly"
done_testing
