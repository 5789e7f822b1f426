#!/bin/sh
# samples/timer_cleanup end to end: with CleanupSchedule every second the
# timer starts cleanup_orchestrator through its durable client, and the
# instance completes with the activity's report; without the setting the
# app serves no timer.
. "$(dirname "$0")/../lib.sh"
root="$T_DIR/app"
make_root "$root" "[\"$CFUNC_BUILD/samples/timer_cleanup.so\"]"

start_host "$root"
ok $? "host starts without CleanupSchedule"
like "$(cat "$HOST_LOG")" "CleanupSchedule is not set: the cleanup timer is off" "the app says why there is no timer"
is "$(grep -c 'cleanup_timer: timerTrigger' "$HOST_LOG")" "0" "no timer listed"
stop_host

cat >"$root/local.settings.json" <<'JSON'
{ "IsEncrypted": false, "Values": { "CleanupSchedule": "*/1 * * * * *" } }
JSON
start_host "$root"
ok $? "host starts with CleanupSchedule"
is "$(grep -c '^	cleanup_timer: timerTrigger$' "$HOST_LOG")" "1" "the timer is listed"
_i=0
while ! grep -q "Started cleanup orchestration with ID = '" "$HOST_LOG" && [ $_i -lt 300 ]; do sleep 0.05; _i=$((_i + 1)); done
ID=$(sed -n "s/.*Started cleanup orchestration with ID = '\([0-9a-f]*\)'.*/\1/p" "$HOST_LOG" | head -1)
like "$ID" '^[0-9a-f]{32}$' "the timer started an orchestration"
wait_for "$ID" '.runtimeStatus == "Completed"'
ok $? "the cleanup orchestration completes"
is "$(printf '%s' "$ST" | jq -c .output)" '{"removed":0,"pastDue":false}' "its output is the activity's report"
is "$(printf '%s' "$ST" | jq -c '.input | [.IsPastDue, .ScheduleStatus]')" '[false,null]' "its input is the TimerInfo"
stop_host
is "$HOST_RC" "0" "host stops cleanly"
done_testing
