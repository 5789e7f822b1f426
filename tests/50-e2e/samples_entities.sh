#!/bin/sh
# samples/entities end to end: a counter signalled over HTTP and read back,
# calls and signals from orchestrations (scheduled ones never early),
# entity-to-entity signals and starts, rollback of a failed operation, an
# aggregator fed by a fan-out, concurrent transfers between accounts in a
# critical section that never lose money, and the locking rules.
. "$(dirname "$0")/../lib.sh"
S="$CFUNC_BUILD/samples"
root="$T_DIR/app"
make_root "$root" "[\"$S/durable_hello.so\", \"$S/entities.so\"]"
start_host "$root"
ok $? "host starts"

W="$BASE/runtime/webhooks/durabletask"
ms() { echo $(($(date +%s%N) / 1000000)); }
# state <name> <key>: sets CODE and STATE (the body) of the entity read.
state() {
	CODE=$(http "$W/entities/$1/$2")
	STATE=$(body)
}
# wait_state <name> <key> <want body>: polls (10 s at most).
wait_state() {
	_i=0
	while [ $_i -lt 200 ]; do
		state "$1" "$2"
		[ "$CODE" = 200 ] && [ "$STATE" = "$3" ] && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}
done_output() { # done_output <id>: the output once the instance completed
	wait_for "$1" '.runtimeStatus == "Completed" or .runtimeStatus == "Failed"'
	printf '%s' "$ST" | jq -c .output
}

# --- counter over the sample's HTTP function
CODE=$(http -X POST -H 'Content-Type: application/json' -d 5 "$BASE/api/counter/cats?op=add")
is "$CODE" "202" "signal add 5 through cf_durable_signal_entity"
wait_state counter cats 5
ok $? "the counter reads 5"
CODE=$(http "$BASE/api/counter/cats")
is "$CODE:$(body)" "200:5" "cf_durable_read_entity reads the committed state"
CODE=$(http "$BASE/api/counter/dogs")
is "$CODE" "404" "an entity never signalled does not exist"
CODE=$(http -X POST -d 1 "$BASE/api/counter/a%3Fb?op=add")
is "$CODE" "400" "a key with '?' is refused by cf_durable_signal_entity"
like "$(body)" "invalid entity id|Invalid entity id" "with the reason"
CODE=$(http -X POST -d '{bad' "$BASE/api/counter/cats?op=add")
is "$CODE" "400" "input that is not JSON is refused"
like "$(body)" "not valid JSON" "with the reason"
CODE=$(http -X POST "$BASE/api/counter/cats?op=reset")
wait_state counter cats 0
ok $? "reset"
CODE=$(http -X POST "$BASE/api/counter/cats?op=delete")
_i=0
while [ $_i -lt 200 ]; do
	state counter cats
	[ "$CODE" = 404 ] && break
	sleep 0.05
	_i=$((_i + 1))
done
is "$CODE" "404" "deleting the state deletes the entity"

# --- two-way calls from an orchestration
orch_start counter_calls '{"key":"calls","n":7}'
is "$(done_output "$ID")" "7" "seven calls, each answered with the new value"
state counter calls
is "$STATE" "7" "applied exactly once each"

# --- one-way signals, scheduled ones not before their time
orch_start counter_signals '{"key":"later","n":3,"delay_ms":1500}'
at=$(done_output "$ID")
state counter later
is "$CODE" "404" "scheduled signals are not delivered at once"
wait_state counter later 3
ok $? "they arrive"
now=$(ms)
ok "$([ "$now" -ge "$at" ]; echo $?)" "and never early ($now >= $at)"

# --- a backlog runs in batches of at most 5,000 operations, in order
orch_start counter_signals '{"key":"backlog","n":6001,"delay_ms":1000}'
wait_for "$ID" '.runtimeStatus == "Completed"'
ok $? "6,001 signals scheduled for the same moment"
_i=0
while [ $_i -lt 300 ]; do
	state counter backlog
	[ "$STATE" = 6001 ] && break
	sleep 0.05
	_i=$((_i + 1))
done
is "$STATE" "6001" "all applied"
like "$(grep -c "Executed 'Functions.counter' (Succeeded, .*Operations=5000)" "$HOST_LOG")" "^[1-9]" "the first batch took 5,000 of them"

# --- entities signal entities and start orchestrations
CODE=$(http -X POST -H 'Content-Type: application/json' -d '{"key":"target","n":4}' \
	"$W/entities/counter/source?op=forward")
is "$CODE" "202" "signal forward"
wait_state counter target 4
ok $? "the entity's signal reached the other counter"
CODE=$(http -X POST "$W/entities/counter/spawned?op=spawn")
wait_state counter spawned 1
ok $? "the orchestration the entity started called it back"

# --- a failing operation is rolled back, the batch goes on
http -X POST -H 'Content-Type: application/json' -d 1 "$W/entities/counter/rb?op=add" >/dev/null
http -X POST "$W/entities/counter/rb?op=add_then_fail" >/dev/null
http -X POST -H 'Content-Type: application/json' -d 1 "$W/entities/counter/rb?op=add" >/dev/null
wait_state counter rb 2
ok $? "1 + (failed +1000) + 1 = 2"
state counter rollback-witness
is "$CODE" "404" "the failed operation's signal was never sent"
orch_start call_broken '{}'
is "$(done_output "$ID")" "\"broken refuses 'anything'\"" "a failed call is a failed task with the operation's message"

orch_start call_any '{"name":"nosuch","key":"k","op":"add"}'
like "$(done_output "$ID")" "The function 'nosuch' doesn't exist, is disabled, or is not an entity function" "a call to an unknown entity fails with the reason"
orch_start call_any '{"name":"Counter","key":"calls","op":"get"}'
is "$(done_output "$ID")" '{"ok":7}' "a call by any-case name reaches the entity"
orch_start call_any '{"name":"","key":"k","op":"get"}'
wait_for "$ID" '.runtimeStatus == "Failed"'
like "$(printf '%s' "$ST" | jq -r .output)" "entity name must not be a null or empty string" "a call without a name fails the orchestration"
http -X POST -d 1 "$W/entities/counter/never-created?op=nosuchop" >/dev/null
state counter never-created
is "$CODE" "404" "an operation that fails on a new entity creates nothing"

# --- aggregator fed by a fan-out
orch_start aggregate '{"count":10,"key":"squares"}'
is "$(done_output "$ID")" "10" "ten squares signalled"
wait_state sum squares 385
ok $? "sum of squares 1..10 = 385"

# --- transfers in critical sections: money is never lost
for a in alice bob carol; do
	http -X POST -H 'Content-Type: application/json' -d 100 "$W/entities/account/$a?op=deposit" >/dev/null
done
wait_state account carol '{"balance":100}'
ids=""
i=0
for pair in alice:bob bob:carol carol:alice alice:carol bob:alice carol:bob \
	alice:bob bob:carol carol:alice alice:carol bob:alice carol:bob; do
	from=${pair%:*}
	to=${pair#*:}
	orch_start transfer "{\"from\":\"$from\",\"to\":\"$to\",\"amount\":$((30 + i * 7))}"
	ids="$ids $ID"
	i=$((i + 1))
done
okc=0
for id in $ids; do
	out=$(done_output "$id")
	[ "$out" = '{"ok":true}' ] || [ "$out" = '{"ok":false}' ] && okc=$((okc + 1))
done
is "$okc" "12" "all twelve transfers completed"
total=0
neg=0
for a in alice bob carol; do
	state account "$a"
	b=$(printf '%s' "$STATE" | jq .balance)
	total=$((total + b))
	[ "$b" -lt 0 ] && neg=1
done
is "$total" "300" "the total is still 300"
is "$neg" "0" "no balance below zero"
orch_start transfer '{"from":"alice","to":"bob","amount":100000}'
is "$(done_output "$ID")" '{"ok":false}' "a transfer larger than the balance is refused"

# --- locking rules
for rule in nested unlocked_call sub_orch signal_locked; do
	orch_start lock_rules "{\"rule\":\"$rule\"}"
	wait_for "$ID" '.runtimeStatus == "Failed"'
	like "$(printf '%s' "$ST" | jq -r .output)" "Must not" "rule $rule: a clear failure"
done
CODE=$(http -X POST -H 'Content-Type: application/json' -d 1 "$W/entities/counter/locked?op=add")
wait_state counter locked 1
ok $? "locks of failed orchestrations are released"

# --- clean entity storage releases the locks of orchestrations that ended
orch_start hold_lock '{"key":"orphan"}'
holder=$ID
wait_for "$holder" '.customStatus == "locked"'
ok $? "an orchestration holds counter orphan"
http -X POST -H 'Content-Type: application/json' -d 1 "$W/entities/counter/orphan?op=add" >/dev/null
_i=0
while [ $_i -lt 100 ]; do
	q=$(curl -s "$W/instances/@counter@orphan" | jq -r .customStatus.queueSize)
	[ "$q" = 1 ] && break
	sleep 0.05
	_i=$((_i + 1))
done
is "$q" "1" "a signal waits behind the lock"
CODE=$(http -X POST "$W/instances/$holder/terminate?reason=gone")
wait_for "$holder" '.runtimeStatus == "Terminated"'
state counter orphan
is "$CODE" "404" "terminating the holder alone runs nothing"
CODE=$(http -X POST "$BASE/api/entities/clean")
is "$CODE:$(body)" '200:{"removedEmptyEntities":0,"releasedOrphanedLocks":1}' "clean entity storage releases the orphaned lock"
wait_state counter orphan 1
ok $? "and the waiting signal runs"
CODE=$(http -X POST "$BASE/api/entities/clean")
is "$(body)" '{"removedEmptyEntities":0,"releasedOrphanedLocks":0}' "a second clean finds nothing"

# --- entities stay out of the instance listing
list=$(curl -s "$W/instances?top=1000" | jq '[.[] | select(.instanceId | startswith("@"))] | length')
is "$list" "0" "no entity in GET instances"

done_testing
