#!/bin/sh
# Timer triggers follow the test clock (tests/20-abi/timer_app.c with a daily
# schedule): with --ephemeral the timer has not run; moving the clock past
# its next occurrence runs it once, at once, with the moved time in its
# TimerInfo; without test mode the clock cannot move and the timer waits.
. "$(dirname "$0")/../lib.sh"
root=$T_DIR/app
make_root "$root" "[\"$CFUNC_BUILD/tests/20-abi/timer_app.so\"]"
mkdir -p "$T_DIR/tmp"
export TMPDIR="$T_DIR/tmp" TZ=UTC TickSchedule="0 0 3 * * *"

count() { grep -cE "$1" "$HOST_LOG"; }
# wait_runs <n>: polls the log until n runs ended, for at most 2 s of wall
# clock; the daily timer can only get there through the moved clock.
wait_runs() {
	_t0=$(date +%s%N)
	while [ "$(count 'tick end')" -lt "$1" ]; do
		[ $(( ($(date +%s%N) - _t0) / 1000000 )) -ge 2000 ] && return 1
		sleep 0.02
	done
}
epoch() { date -u -d "$1" +%s; }
info() { sed -n 's/.*tick begin //p' "$HOST_LOG" | sed -n "${1}p"; }

# ---- without test mode: nothing moves ----------------------------------------
start_host "$root"
is "$(http -X POST -d '{"advanceSeconds":86460}' "$BASE/admin/test/clock")" "404" \
	"without --ephemeral the clock endpoint is 404"
wait_runs 1
is "$?" "1" "without test mode the daily timer does not run"
stop_host

# ---- --ephemeral: one day and a minute later, the 03:00 occurrence is due ----
start_host "$root" --ephemeral
is "$(count 'tick begin')" "0" "--ephemeral: the daily timer has not run at start"
real0=$(date +%s)
is "$(http -X POST -d '{"advanceSeconds":86460}' "$BASE/admin/test/clock")" "200" \
	"the clock moves forward by a day and a minute"
wait_runs 1
ok $? "the timer ran within 2 s of moving the clock"
is "$(count 'tick begin')" "1" "it ran once"
i1=$(info 1)
is "$(printf '%s' "$i1" | jq -r .IsPastDue)" "false" "a scheduled run, not past due"
next1=$(printf '%s' "$i1" | jq -r .ScheduleStatus.Next)
like "$next1" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T03:00:00\+00:00$' "TimerInfo Next is a 03:00 occurrence"
n1=$(epoch "$next1")
ok "$([ "$n1" -gt "$real0" ] && [ "$n1" -le $((real0 + 86400)) ]; echo $?)" \
	"and the one that was next before the clock moved"
is "$(printf '%s' "$i1" | jq -r .ScheduleStatus.Last)" "0001-01-01T00:00:00" "no Last before the first run"
fired=$(sed -n "s/.*Executing 'Functions.tick' (Reason='Timer fired at \([^.]*\)\..*/\1/p" "$HOST_LOG" | head -1)
f1=$(epoch "$fired")
ok "$([ "$f1" -ge $((real0 + 86460)) ]; echo $?)" "the reason gives the moved time ($fired)"

# A second day: the next run's TimerInfo has the first run at the moved
# time as Last, and the 03:00 after it as Next; the first advance did not
# run the timer twice.
is "$(http -X POST -d '{"advanceSeconds":86400}' "$BASE/admin/test/clock")" "200" "the clock moves another day"
wait_runs 2
ok $? "the timer ran again within 2 s"
i2=$(info 2)
last2=$(printf '%s' "$i2" | jq -r .ScheduleStatus.Last)
next2=$(printf '%s' "$i2" | jq -r .ScheduleStatus.Next)
l2=$(epoch "$last2")
ok "$([ "$l2" -ge $((real0 + 86460)) ] && [ "$l2" -le $((f1 + 1)) ]; echo $?)" \
	"TimerInfo Last is the first run at the moved time ($last2)"
# The 03:00 strictly after l2 is 03:00 on the day after l2 - 3 h.
is "$next2" "$(date -u -d "$(date -u -d "@$((l2 - 10800))" +%F) + 1 day" +%F)T03:00:00+00:00" \
	"TimerInfo Next is the 03:00 after it"
stop_host
is "$HOST_RC" "0" "the host stops cleanly"
is "$(count 'tick begin')" "2" "two advances, two runs"

done_testing
