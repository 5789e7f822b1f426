#!/bin/sh
# workers_entities.sh - with --worker-processes, entity operations run in a
# worker of their app, a batch of them in one message: an operation that
# ends its worker (SIGSEGV, abort) or runs past functionTimeout costs no
# state (the batch it was in commits nothing and runs again), the console
# names the worker's pid, the app, the entity and the signal, after 3 deaths
# at that operation it fails with a message saying so and the entity goes
# on; meanwhile the host and a control client are unaffected.
. "$CFUNC_ROOT/tests/lib.sh"
. "$CFUNC_ROOT/tests/lib_workers.sh"

# 6 workers (+2 for episodes and entities): the 10 deaths below stay under
# the crash-loop bound (3 x 8).
workers_root 6 00:00:02 "$ABI/crashy_durable.so"
start_workers_host

W="$BASE/runtime/webhooks/durabletask"
signal() { # signal <key> <op> <input>
	http -X POST -H 'Content-Type: application/json' -d "$3" "$W/entities/box/$1?op=$2"
}
state() { curl -s --max-time 5 "$W/entities/box/$1"; }
# wait_state <key> <value>: polls (bounded) until the entity's state is that.
wait_state() {
	_i=0
	while [ "$(state "$1")" != "$2" ] && [ $_i -lt 200 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	state "$1"
}
start() { http -X POST -H 'Content-Type: application/json' -d "$3" "$W/orchestrators/$1/$2"; }

control_start

is "$(signal k1 add 5)" 202 "a signal to the entity is accepted"
is "$(wait_state k1 5)" 5 "the operation ran in a worker: state 5"
wpid=$(grep -o "Worker process [0-9]* of app 'crashy_durable'" "$HOST_LOG" | head -1)
is "$wpid" "" "no worker died so far"

# One batch of four operations, the third ends its worker the first time.
is "$(start box_burst burst '{"key":"k1","ops":"add:1,add:1,segv_once,add:1"}')" 202 \
	"an orchestration signals four operations at once"
line=$(wait_log "died \(SIGSEGV\) while running 'box \(entity @box@k1\)'")
like "$line" "Worker process [0-9]+ of app 'crashy_durable' died \(SIGSEGV\) while running 'box \(entity @box@k1\)' \(Id=@box@k1\); replaced by process [0-9]+" \
	"the console names the worker's pid, the app, the entity and the signal"
is "$(state k1)" 5 "right after the crash the state is the one before the crashed batch"
is "$(wait_state k1 108)" 108 \
	"the batch ran again: every operation applied once (5 + 1 + 1 + 100 + 1)"
is "$(grep -c "died (SIGSEGV) while running 'box (entity @box@k1)'" "$HOST_LOG")" 1 \
	"… after one death"
is "$(curl -s "$BASE/admin/host/functions" |
	jq -c '[.workers.recentCrashes[] | select(.function == "box") | [.trigger, .instanceId, .signal]][0]')" \
	'["entity","@box@k1","SIGSEGV"]' "the Functions page lists the crash as the entity's"

# An operation that always crashes: 3 deaths, then it fails, naming why.
for kind in segv:SIGSEGV abort:SIGABRT; do
	k=${kind%%:*}
	sig=${kind#*:}
	is "$(start box_call "call-$k" "{\"key\":\"k2\",\"op\":\"$k\"}")" 202 "box_call $k starts"
	wait_for "call-$k" '.runtimeStatus == "Completed"'
	is "$(printf '%s' "$ST" | jq -r .output.error)" \
		"the entity 'box' ended its worker process ($sig) 3 times at operation '$k'" \
		"$k: after 3 deaths the operation fails with a message naming the entity and $sig"
	is "$(grep -c "died ($sig) while running 'box (entity @box@k2)'" "$HOST_LOG")" 3 \
		"$k: 3 console lines name the worker's death"
done
is "$(start box_call after '{"key":"k2","op":"add","input":7}')" 202 "a later call to that entity"
wait_for after '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -c .output)" '{"ok":7}' "… runs: the entity goes on"

# An operation past functionTimeout (2 s): its worker is killed, 3 times.
is "$(start box_call call-spin '{"key":"k3","op":"spin"}')" 202 "box_call spin starts"
_i=0
while ! wait_for call-spin '.runtimeStatus == "Completed"' && [ $_i -lt 3 ]; do _i=$((_i + 1)); done
is "$(printf '%s' "$ST" | jq -r .output.error)" \
	"the entity 'box' ended its worker process (ran past functionTimeout) 3 times at operation 'spin'" \
	"spin: after 3 timeouts the operation fails"
like "$(grep "while running 'box (entity @box@k3)'" "$HOST_LOG" | head -1)" \
	"Worker process [0-9]+ of app 'crashy_durable' died \(SIGKILL\)" \
	"the timed-out worker was killed"
is "$(signal k3 add 2)" 202 "a signal to it afterwards"
is "$(wait_state k3 2)" 2 "… runs (the spinning operation changed nothing)"

control_stop
ok $? "the control client's $CONTROL_TOTAL requests all succeeded meanwhile ($CONTROL_GOOD x 200; others: $CONTROL_OTHERS)"
# What the console said of workers, to tell why when one was not 200.
[ "$CONTROL_GOOD" -eq "$CONTROL_TOTAL" ] || grep -E "Worker process|Functions\.ok.*(Failed|Exception)|Exception while executing function: Functions\.ok" "$HOST_LOG" | sed 's/^/# /'
ok "$(kill -0 "$HOST_PID" 2>/dev/null; echo $?)" "the host is still up"
stop_host
is "$HOST_RC" 0 "the host stops cleanly"
done_testing
