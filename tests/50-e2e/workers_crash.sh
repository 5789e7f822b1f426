#!/bin/sh
# workers_crash.sh - with --worker-processes, app code runs in worker
# processes: every way a function can end its process costs only that
# invocation (500 naming the function and the signal, one console line, a
# replacement worker), while a control client's requests keep succeeding;
# a worker killed from outside and a function past functionTimeout the
# same; an activity that aborts is a failed attempt that its retry policy
# retries on a fresh worker.
. "$CFUNC_ROOT/tests/lib.sh"
. "$CFUNC_ROOT/tests/lib_workers.sh"

# 6 workers (+2 for episodes): the 15 deaths below stay under the
# crash-loop bound (3 x 8).
workers_root 6 00:00:02 "$ABI/crashy.so"
# Run from another folder: the workers still work in the script root.
mkdir -p "$T_DIR/elsewhere"
start_host "$T_DIR/elsewhere" --script-root "$R" --worker-processes
ok $? "host starts with --worker-processes"

is "$(http "$BASE/api/ok")" 200 "a function answers through a worker"
is "$(http "$BASE/api/cwd"; echo " $(body)")" "200 $(cd "$R" && pwd -P)" \
	"the worker's working directory is the script root, not where cfunc was started"
http "$BASE/api/pid" >/dev/null
wpid=$(body)
ok "$([ -n "$wpid" ] && [ "$wpid" != "$HOST_PID" ]; echo $?)" "the function runs in another process than the host"
is "$(ps -o ppid= -p "$wpid" | tr -d ' ')" "$HOST_PID" "that process is the host's child"

# The control client: sequential requests for the whole crash section.
control_start

for kind in segv:SIGSEGV bus:SIGBUS fpe:SIGFPE abort:SIGABRT "exit:exit code 3" stack:SIGSEGV; do
	k=${kind%%:*}
	sig=${kind#*:}
	code=$(http "$BASE/api/crash/$k")
	is "$code $(jq -r '.function + " " + .signal' "$BODY_FILE" 2>/dev/null)" "500 crash $sig" \
		"crash/$k: 500 naming the function and '$sig'"
	inv=$(jq -r .invocationId "$BODY_FILE" 2>/dev/null)
	# The 500 goes out before the replacement starts; the line names it
	# once it is ready.
	like "$(wait_log "Worker process .*\(Id=$inv\)")" \
		"Worker process [0-9]+ of app 'crashy' died \($sig\) while running 'crash' \(Id=$inv\); replaced by process [0-9]+ in [0-9.]+ ms" \
		"crash/$k: one console line with the pid, app, function, id and signal"
done

# A worker killed from outside while it runs a function.
rm -f "$R/sleeping.pid"
http "$BASE/api/sleep?ms=5000" >"$T_DIR/sleep.code" &
sleeper=$!
victim=$(sleeper_pid)
ok "$([ -n "$victim" ] && [ "$victim" != "$HOST_PID" ]; echo $?)" "the sleeping function's worker is known"
kill -9 "$victim" 2>/dev/null
wait "$sleeper"
is "$(cat "$T_DIR/sleep.code")" 500 "kill -9 of a worker: its invocation gets 500"
like "$(wait_log "Worker process $victim .*replaced by")" "died \(SIGKILL\) while running 'sleep'" \
	"the console names the killed worker and its function"

# functionTimeout: the worker is killed, the invocation logged as Failed.
t0=$(date +%s%N)
is "$(http "$BASE/api/spin")" 500 "a function past functionTimeout answers 500"
ms=$((($(date +%s%N) - t0) / 1000000))
ok "$([ "$ms" -lt 6000 ]; echo $?)" "at the timeout, not later (${ms} ms)"
wait_log "died \(SIGKILL\) while running 'spin'" >/dev/null
like "$(grep "while running 'spin'" "$HOST_LOG")" "died \(SIGKILL\)" "the spinning worker is killed and replaced"
ok "$(if grep -q "Executed 'Functions.spin' (Succeeded" "$HOST_LOG"; then echo 1; else echo 0; fi)" \
	"the timed-out invocation is never logged as Succeeded"
like "$(grep "Executed 'Functions.spin'" "$HOST_LOG")" "Failed" "it is logged as Failed"

control_stop
ok $? "the control client's $CONTROL_TOTAL requests during the crashes all succeeded ($CONTROL_GOOD; others:${CONTROL_OTHERS:- none})"
is "$(http "$BASE/api/ok")" 200 "the app still serves after the crashes"

# Activities: an abort is a failed attempt; the retry (a new worker) succeeds.
d() { (cd "$R" && "$CFUNC" durable "$@"); }
d start-new --function-name crashy_orch --input '"once"' --id once1 >/dev/null
ok "$?" "an orchestration calling a crashing activity starts"
wait_for once1 '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -r .output)" fine "the activity that aborted once succeeds on its retry"
like "$(wait_log "while running 'crashy_activity \(instance once1\)'")" "died \(SIGABRT\)" \
	"the console names the activity, its instance and the signal"
d start-new --function-name crashy_orch --input '"abort"' --id abort1 >/dev/null
wait_for abort1 '.runtimeStatus == "Failed"'
like "$(printf '%s' "$ST" | jq -r .output)" "SIGABRT" "an activity that always aborts fails the orchestration, naming the signal"
is "$(http "$BASE/api/ok")" 200 "HTTP functions keep serving meanwhile"

# Orchestrators: episodes run in the workers too. One whose code crashes in
# every episode is retried, then fails naming the function and the signal;
# another instance completes meanwhile.
d start-new --function-name crashy_replay --input '"segv"' --id rseg >/dev/null
d start-new --function-name crashy_replay --input '"fine"' --id rok >/dev/null
wait_for rok '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -r .output)" fine "an orchestration beside a crashing one completes"
wait_for rseg '.runtimeStatus == "Failed"'
like "$(printf '%s' "$ST" | jq -r .output)" "crashy_replay.*SIGSEGV.*3 times" \
	"an orchestrator that crashes every episode fails after 3 tries, naming the function and the signal"
like "$(wait_log "while running 'crashy_replay \(instance rseg\)'")" "died \(SIGSEGV\)" \
	"the console names the orchestrator, its instance and the signal"
is "$(http "$BASE/api/ok")" 200 "and HTTP functions keep serving"

# The last death's replacement is counted once it is ready (after the
# episode it ended was answered): wait for it (bounded).
_i=0
while st=$(curl -s "$BASE/admin/host/status") &&
	[ "$(printf '%s' "$st" | jq '.workers.replaced >= .workers.deaths')" != true ] && [ $_i -lt 200 ]; do
	sleep 0.05
	_i=$((_i + 1))
done
is "$(printf '%s' "$st" | jq -c '[.workers.deaths >= 15, .workers.replaced >= 15, .workers.failedApps]')" \
	'[true,true,[]]' "/admin/host/status counts the deaths and replacements, no app failed"
ms=$(printf '%s' "$st" | jq '.workers.lastReplacementMs')
ok "$(awk "BEGIN { exit !($ms < 100) }"; echo $?)" "the last replacement was ready in ${ms} ms (< 100)"

stop_host TERM
is "$HOST_RC" 0 "the host stops cleanly"
ok "$(if kill -0 "$wpid" 2>/dev/null; then echo 1; else echo 0; fi)" "its workers are gone with it"
done_testing
