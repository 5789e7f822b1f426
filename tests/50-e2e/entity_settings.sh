#!/bin/sh
# host.json's entity settings (extensions.durableTask):
#   maxEntityOperationBatchSize - no entity batch runs more operations, and a
#     burst larger than it is still applied whole and in order;
#   rollbackEntityOperationsOnExceptions - true (the default) undoes a failed
#     operation's state change, false keeps it; the caller sees the failure
#     either way. A bad value stops the host with the setting's name.
. "$(dirname "$0")/../lib.sh"
S="$CFUNC_BUILD/samples"
W() { echo "$BASE/runtime/webhooks/durabletask"; }

# wait_state <name> <key> <want body>: polls (10 s at most); STATE is the last body.
wait_state() {
	_i=0
	while [ $_i -lt 200 ]; do
		CODE=$(http "$(W)/entities/$1/$2")
		STATE=$(body)
		[ "$CODE" = 200 ] && [ "$STATE" = "$3" ] && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}
signal() { http -X POST -H 'Content-Type: application/json' -d "$3" "$(W)/entities/counter/$1?op=$2"; }
# ops_counts: the Operations=N of every Executed line of the counter, one a line.
ops_counts() { sed -n "s/.*Executed 'Functions.counter' (Succeeded, .*Operations=\([0-9]*\)).*/\1/p" "$HOST_LOG"; }

# --- maxEntityOperationBatchSize 3: 10 signals sent in one episode
root="$T_DIR/small"
make_root "$root" "[\"$S/durable_hello.so\", \"$S/entities.so\"]" \
	'"extensions": { "durableTask": { "maxEntityOperationBatchSize": 3 } }'
start_host "$root"
ok $? "host starts with maxEntityOperationBatchSize 3"
orch_start counter_signals '{"key":"burst","n":10}'
is "$CODE" "202" "an orchestration signals the counter 10 times"
wait_state counter burst 10
ok $? "all 10 applied"
max=$(ops_counts | sort -n | tail -1)
total=$(ops_counts | awk '{ t += $1 } END { print t + 0 }')
ok "$([ -n "$max" ] && [ "$max" -le 3 ]; echo $?)" "no batch ran more than 3 operations (largest: $max)"
is "$total" "10" "the batches ran 10 operations in all"
ok "$([ "$(ops_counts | wc -l)" -ge 4 ]; echo $?)" "in at least 4 batches"
stop_host
ok $? "clean shutdown"

# --- the default batch takes a burst at once
root="$T_DIR/default"
make_root "$root" "[\"$S/durable_hello.so\", \"$S/entities.so\"]"
start_host "$root"
ok $? "host starts with the defaults"
orch_start counter_signals '{"key":"burst","n":10}'
wait_state counter burst 10
ok $? "all 10 applied"
max=$(ops_counts | sort -n | tail -1)
ok "$([ -n "$max" ] && [ "$max" -gt 3 ]; echo $?)" "and batches are larger by default (largest: $max)"
# rollback on (the default): the failed operation's +1000 is undone
signal rb add 1 >/dev/null
signal rb add_then_fail "" >/dev/null
signal rb add 1 >/dev/null
wait_state counter rb 2
ok $? "rollback on: 1 + (failed +1000) + 1 = 2"
stop_host

# --- rollbackEntityOperationsOnExceptions false: the change stays
root="$T_DIR/keep"
make_root "$root" "[\"$S/durable_hello.so\", \"$S/entities.so\"]" \
	'"extensions": { "durableTask": { "rollbackEntityOperationsOnExceptions": false } }'
start_host "$root"
ok $? "host starts with rollbackEntityOperationsOnExceptions false"
signal rb add 1 >/dev/null
signal rb add_then_fail "" >/dev/null
signal rb add 1 >/dev/null
wait_state counter rb 1002
ok $? "rollback off: 1 + (failed +1000) + 1 = 1002 (got $STATE)"
like "$(cat "$HOST_LOG")" "operation 'add_then_fail' failed: failed on purpose" "the failure is still logged"
stop_host

# --- bad values stop the host and name the setting
for bad in '"maxEntityOperationBatchSize": 0' '"maxEntityOperationBatchSize": "lots"' \
	'"rollbackEntityOperationsOnExceptions": "maybe"'; do
	root="$T_DIR/bad"
	rm -rf "$root"
	make_root "$root" "[\"$S/entities.so\"]" "\"extensions\": { \"durableTask\": { $bad } }"
	out=$(cd "$root" && timeout 20 "$CFUNC" start --port 0 2>&1)
	rc=$?
	ok "$([ $rc -ne 0 ] && [ $rc -ne 124 ]; echo $?)" "{ $bad }: the host refuses to start (exit $rc)"
	key=${bad%%\":*}
	like "$out" "extensions.durableTask.${key#\"}" "and names the setting"
done

done_testing
