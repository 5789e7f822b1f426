#!/bin/sh
# workers_timer.sh - with --worker-processes, timer functions run in a
# worker of their app: a run that ends its worker (SIGSEGV, abort) or runs
# past functionTimeout fails that run alone (Executed … Failed, and one
# console line naming the worker's pid, the app, the function and the
# signal); the schedule goes on, and the host and a control client are
# unaffected. A run fired through the admin API waits for one in progress.
. "$CFUNC_ROOT/tests/lib.sh"
. "$CFUNC_ROOT/tests/lib_workers.sh"

workers_root 2 00:00:02 "$ABI/crashy_durable.so"
start_workers_host

# ticks: runs that completed so far (the timer fires every second).
ticks() { [ -f "$R/ticks" ] && wc -l <"$R/ticks" || echo 0; }
# wait_ticks <n>: polls (bounded) until more than n runs completed.
wait_ticks() {
	_i=0
	while [ "$(ticks)" -le "$1" ] && [ $_i -lt 200 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	[ "$(ticks)" -gt "$1" ]
}

wait_ticks 0
ok $? "the timer runs"
tpid=$(head -1 "$R/ticks")
ok "$([ -n "$tpid" ] && [ "$tpid" != "$HOST_PID" ]; echo $?)" "… in another process than the host"
is "$(ps -o ppid= -p "$tpid" | tr -d ' ')" "$HOST_PID" "… a worker, the host's child"

control_start

for kind in segv:SIGSEGV abort:SIGABRT spin:SIGKILL; do
	k=${kind%%:*}
	sig=${kind#*:}
	echo "$k" >"$R/tick-crash"
	line=$(wait_log "died \($sig\) while running 'crash_tick'")
	like "$line" \
		"Worker process [0-9]+ of app 'crashy_durable' died \($sig\) while running 'crash_tick' \(Id=[0-9a-f-]+\); replaced by process [0-9]+" \
		"$k: one console line names the worker's pid, the app, the function and $sig"
	id=$(printf '%s' "$line" | sed -n 's/.*(Id=\([0-9a-f-]*\)).*/\1/p')
	wait_log "Executed 'Functions.crash_tick' \(Failed, Id=$id" >/dev/null
	ok "$(grep -q "Executed 'Functions.crash_tick' (Failed, Id=$id" "$HOST_LOG"; echo $?)" \
		"$k: that run is logged as Failed"
	n=$(ticks)
	wait_ticks "$n"
	ok $? "$k: the schedule goes on (a later run completes)"
done
like "$(grep "Exception while executing function: Functions.crash_tick" "$HOST_LOG" | tail -1)" \
	"Timeout value of 2000 ms was exceeded by function: Functions.crash_tick" \
	"the run past functionTimeout is reported with func's timeout message"
is "$(grep -c "died (SIG[A-Z]*) while running 'crash_tick'" "$HOST_LOG")" 3 "one death per crashed run"
is "$(curl -s "$BASE/admin/host/functions" |
	jq -c '[.workers.recentCrashes[] | select(.function == "crash_tick") | [.trigger, .signal, .timedOut]]')" \
	'[["timer","SIGKILL",true],["timer","SIGABRT",false],["timer","SIGSEGV",false]]' \
	"the Functions page lists the three crashes as the timer's, newest first"

# A run fired through the admin API while a scheduled one is going waits
# for it instead of running beside it in another worker (as in process).
touch "$R/tick-slow"
_i=0
while ! tail -1 "$R/tick-spans" 2>/dev/null | grep -q '^begin ' && [ $_i -lt 200 ]; do
	sleep 0.02
	_i=$((_i + 1))
done
ok "$(tail -1 "$R/tick-spans" | grep -q '^begin '; echo $?)" "a slow run (1 s) is going"
is "$(http -X POST -H 'Content-Type: application/json' -d '{"input":""}' "$BASE/admin/functions/crash_tick")" \
	202 "POST /admin/functions/crash_tick meanwhile: 202"
line=$(wait_log "Executing 'Functions.crash_tick' \(Reason='This function was programmatically called via the host APIs.'")
id=$(printf '%s' "$line" | sed -n 's/.*Id=\([0-9a-f-]*\)).*/\1/p')
ok "$([ -n "$id" ]; echo $?)" "the admin run starts"
done_line=$(wait_log "Executed 'Functions.crash_tick' \(Succeeded, Id=$id")
like "$done_line" "Duration=[0-9]{4,}ms" "… and succeeds, after its own 1 s run"
rm -f "$R/tick-slow"
# Two more runs: the second began after the first ended, so after the rm.
n=$(ticks)
wait_ticks $((n + 1))
ok $? "the schedule goes on"
seq=$(awk '{ print $1 }' "$R/tick-spans" | tr '\n' ' ')
like "$seq" '^begin end begin end ' "the admin run began after the running one ended"
like "$seq" '^(begin end )+$' "no two runs overlapped (begin/end alternate: $seq)"

control_stop
ok $? "the control client's $CONTROL_TOTAL requests all succeeded meanwhile ($CONTROL_GOOD x 200)"
ok "$(kill -0 "$HOST_PID" 2>/dev/null; echo $?)" "the host is still up"
stop_host
is "$HOST_RC" 0 "the host stops cleanly"
done_testing
