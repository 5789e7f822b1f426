#!/bin/sh
# Timer trigger end to end (tests/20-abi/timer_app.c): the Functions list,
# runOnStartup, firing by POST /admin/functions/{name}, one run at a time,
# a run missed while the host was down running once with IsPastDue, and an
# invalid schedule refusing the app with func's message.
. "$(dirname "$0")/../lib.sh"
APP="$CFUNC_BUILD/tests/20-abi/timer_app.so"
root="$T_DIR/app"
make_root "$root" "[\"$APP\"]"
export TZ=UTC

# count <regex>: lines of the host log matching it.
count() { grep -cE "$1" "$HOST_LOG"; }
# wait_log <regex> <n>: polls the log (15 s at most) until n lines match.
wait_log() {
	_i=0
	while [ "$(count "$1")" -lt "$2" ]; do
		[ $_i -ge 300 ] && return 1
		sleep 0.05
		_i=$((_i + 1))
	done
}

# --- an invalid expression refuses the app with func's message
export TickSchedule="every five minutes"
start_host "$root"
ok $? "host starts without the refused app"
like "$(cat "$HOST_LOG")" "Refusing app 'timer_app' \\(.*\\): function 'tick': The schedule expression 'every five minutes' was not recognized as a valid cron expression or timespan string\\." "invalid schedule: func's message"
is "$(count 'tick: timerTrigger')" "0" "the refused timer is not listed"
stop_host
export TickSchedule="0 0 0 31 2 *"
unset TickSchedule
start_host "$root"
like "$(cat "$HOST_LOG")" "Refusing app 'timer_app' \\(.*\\): '%TickSchedule%' does not resolve to a value\\." "a missing %Setting% is refused"
stop_host

# --- runOnStartup, the Functions list, admin firing (a yearly schedule never fires here)
export TickSchedule="0 0 0 1 1 *" TickRunOnStartup=1
start_host "$root"
ok $? "host starts"
is "$(count '^	tick: timerTrigger$')" "1" "Functions list: '	tick: timerTrigger'"
wait_log 'tick end' 1
ok $? "runOnStartup runs the timer once at start"
like "$(cat "$HOST_LOG")" "Executing 'Functions.tick' \\(Reason='Timer fired at [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{7}\\+00:00', Id=[0-9a-f-]{36}\\)" "Executing line with func's timer reason"
is "$(count 'Trigger Details: UnscheduledInvocationReason: RunOnStartup$')" "1" "Trigger Details: RunOnStartup"
like "$(cat "$HOST_LOG")" "Executed 'Functions.tick' \\(Succeeded, Id=[0-9a-f-]{36}, Duration=[0-9]+ms\\)" "Executed line"
info=$(sed -n 's/.*tick begin //p' "$HOST_LOG" | head -1)
is "$(printf '%s' "$info" | jq -c '[.Schedule, .IsPastDue, (.ScheduleStatus | keys_unsorted)]')" '[{"AdjustForDST":true},false,["Last","Next","LastUpdated"]]' "TimerInfo as func passes it"
like "$(printf '%s' "$info" | jq -r .ScheduleStatus.Next)" '^20[0-9]{2}-01-01T00:00:00\+00:00$' "ScheduleStatus.Next is the next 1 January"
is "$(printf '%s' "$info" | jq -r .ScheduleStatus.Last)" "0001-01-01T00:00:00" "no Last before the first run"
is "$(http -X POST -H 'Content-Type: application/json' -d '{"input":""}' "$BASE/admin/functions/tick")" "202" "POST /admin/functions/tick: 202"
wait_log 'tick end' 2
ok $? "the admin call runs the timer"
is "$(count "Executing 'Functions.tick' \\(Reason='This function was programmatically called via the host APIs.'")" "1" "admin run has func's reason"
is "$(http -X POST -H 'Content-Type: application/json' -d '{"input":""}' "$BASE/admin/functions/nosuch")" "404" "unknown function: 404"
is "$(http "$BASE/admin/functions/tick")" "200" "GET /admin/functions/tick"
is "$(jq -c '.config.bindings[0] | [.type, .schedule, .runOnStartup, .useMonitor]' "$BODY_FILE")" '["timerTrigger","0 0 0 1 1 *",true,true]' "metadata shows the binding"
stop_host
is "$HOST_RC" "0" "host stops cleanly"

# --- WEBSITE_TIME_ZONE gives the zone when TZ is unset (Berlin: +01:00 or +02:00)
unset TZ
export WEBSITE_TIME_ZONE=Europe/Berlin
start_host "$root"
wait_log 'tick end' 1
like "$(cat "$HOST_LOG")" "Reason='Timer fired at [0-9T:.-]+\\+0[12]:00'" "WEBSITE_TIME_ZONE: local time with Berlin's offset"
stop_host
unset WEBSITE_TIME_ZONE
export TZ=UTC
unset TickRunOnStartup

# --- one run at a time: every second, each run takes 1.5 s; monitor is off
export TickSchedule="* * * * * *" TickSleepMs=1500
start_host "$root"
wait_log 'tick end' 3
ok $? "an every-second timer runs"
stop_host
seq=$(sed -n 's/.*tick \(begin\|end\).*/\1/p' "$HOST_LOG" | tr '\n' ' ')
like "$seq" '^(begin end )+(begin )?$' "runs never overlap (begin/end alternate)"
info=$(sed -n 's/.*tick begin //p' "$HOST_LOG" | head -1)
is "$(printf '%s' "$info" | jq -c .ScheduleStatus)" "null" "useMonitor is off below a minute: ScheduleStatus null"
unset TickSleepMs

# --- past due: a daily time a few seconds ahead, missed while the host is down
target=$(($(date +%s) + 6))
TickSchedule="$(date -u -d "@$target" '+%-S %-M %-H') * * *"
export TickSchedule
start_host "$root"
ok $? "host starts with a daily schedule at $(date -u -d "@$target" +%T)"
stop_host
is "$(count 'tick begin')" "0" "no run before the occurrence"
_i=0
while [ "$(date +%s)" -le $((target + 1)) ] && [ $_i -lt 400 ]; do sleep 0.05; _i=$((_i + 1)); done
start_host "$root" --verbose # the Host.Triggers.Timer lines are system logs
wait_log 'tick end' 1
ok $? "the missed occurrence runs on start"
is "$(count "Function 'tick' is past due on startup. Executing now.")" "1" "past-due log line (--verbose)"
like "$(cat "$HOST_LOG")" "The next 5 occurrences of the 'tick' schedule \\(.*\\) will be:" "the next 5 occurrences (--verbose)"
like "$(cat "$HOST_LOG")" "Trigger Details: UnscheduledInvocationReason: IsPastDue, OriginalSchedule: [0-9T:-]+\\+00:00" "Trigger Details: IsPastDue with the original schedule"
info=$(sed -n 's/.*tick begin //p' "$HOST_LOG" | head -1)
is "$(printf '%s' "$info" | jq -r .IsPastDue)" "true" "TimerInfo.IsPastDue"
is "$(printf '%s' "$info" | jq -r .ScheduleStatus.Next)" "$(date -u -d "@$target" '+%Y-%m-%dT%H:%M:%S+00:00')" "ScheduleStatus.Next is the missed occurrence"
stop_host
start_host "$root"
wait_log "Worker process started" 1
stop_host
is "$(count 'tick begin')" "0" "after the catch-up run nothing is past due any more"
done_testing
