#!/bin/sh
# workers_entity_batch.sh - with --worker-processes, the entity batches of
# one engine batch go to the episode worker together; when one of them
# ends the worker, the entities answered before it keep their outcome (not
# run again), the one it was running commits nothing and runs again, and
# those after it run on the replacement, each operation exactly once; only
# the culprit is blamed; one that always crashes fails after 3 deaths and
# the others of its batch still complete.
. "$CFUNC_ROOT/tests/lib.sh"

R="$T_DIR/app"
mkdir -p "$R/apps"
cp "$CFUNC_BUILD/tests/20-abi/crashy_durable.so" "$R/apps/"
# "workers": 2 -> 4 processes, so the crash-loop bound is 12 deaths; this
# test causes at most 4.
cat >"$R/host.json" <<'JSON'
{ "version": "2.0", "cfunc": { "apps": ["apps"], "workers": 2 } }
JSON
start_host "$R" --worker-processes
ok $? "host starts with --worker-processes"

W="$BASE/runtime/webhooks/durabletask"
state() { curl -s --max-time 5 "$W/entities/box/$1"; }
# wait_states <value> <key>...: polls (bounded) until every key has that state.
wait_states() {
	_v=$1
	shift
	_i=0
	while [ $_i -lt 300 ]; do
		_all=1
		for _k in "$@"; do
			[ "$(state "$_k")" = "$_v" ] || { _all=0; break; }
		done
		[ $_all = 1 ] && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}
start() { http -X POST -H 'Content-Type: application/json' -d "$3" "$W/orchestrators/$1/$2"; }
deaths_of() { grep -c "died ($2) while running 'box (entity @box@$1)'" "$HOST_LOG"; }
# ran <key>: how many times its "note" operation ran in a worker.
ran() { grep -c "^$1 " "$R/box-ran" 2>/dev/null; }

# Eight entities signalled in one episode: their batches are one engine
# batch's; the fourth ends its worker the first time it runs.
is "$(start box_spread spread1 '{"ops":"b1=note,b2=note,b3=note,b4=segv_once,b5=note,b6=note,b7=note,b8=note"}')" \
	202 "an orchestration signals eight entities at once"
ok "$(wait_states 1 b1 b2 b3 b5 b6 b7 b8; echo $?)" "the seven others each end with state 1"
ok "$(wait_states 100 b4; echo $?)" "the crashing one ran again and succeeded: state 100"
is "$(deaths_of b4 SIGSEGV)" 1 "the console blames it for the one death"
is "$(grep -c "while running 'box (entity @box@b[1235678])'" "$HOST_LOG")" 0 \
	"and never one of the others"
n_once=0
for k in b1 b2 b3 b5 b6 b7 b8; do
	[ "$(ran "$k")" = 1 ] && n_once=$((n_once + 1))
done
is "$n_once" 7 "each of the seven ran its operation exactly once (none run again after the death)"
# Those before the culprit ran on the worker that died, those after it on
# its replacement: the batch went as one write, in order.
before=$(grep -E '^b[123] ' "$R/box-ran" | awk '{ print $2 }' | sort -u | tr '\n' ' ')
after=$(grep -E '^b[5678] ' "$R/box-ran" | awk '{ print $2 }' | sort -u | tr '\n' ' ')
ok "$([ -n "$before" ] && [ -n "$after" ] && [ "$before" != "$after" ]; echo $?)" \
	"the entities before the culprit ran in another process ($before) than those after it ($after)"

# One that always crashes, in the middle of six: 3 deaths, then its
# operation fails; the others complete, each once.
is "$(start box_spread spread2 '{"ops":"c1=note,c2=note,c3=segv,c4=note,c5=note,c6=note"}')" \
	202 "an orchestration signals six entities, the third always crashing"
ok "$(wait_states 1 c1 c2 c4 c5 c6; echo $?)" "the five others each end with state 1"
i=0
while [ "$(deaths_of c3 SIGSEGV)" -lt 3 ] && [ $i -lt 300 ]; do
	sleep 0.05
	i=$((i + 1))
done
is "$(deaths_of c3 SIGSEGV)" 3 "the crashing entity ended its worker 3 times"
n_once=0
for k in c1 c2 c4 c5 c6; do
	[ "$(ran "$k")" = 1 ] && n_once=$((n_once + 1))
done
is "$n_once" 5 "each of the five ran its operation exactly once"
is "$(http -X POST -H 'Content-Type: application/json' -d 2 "$W/entities/box/c3?op=add")" 202 \
	"a signal to the crashing entity afterwards"
ok "$(wait_states 2 c3; echo $?)" "… runs: its failed operation changed nothing, the entity goes on"
is "$(deaths_of c3 SIGSEGV)" 3 "no fourth death"
is "$(http "$BASE/api/ok")" 200 "the host keeps serving HTTP functions"
st=$(curl -s "$BASE/admin/host/status")
is "$(printf '%s' "$st" | jq -c '.workers.failedApps')" '[]' "no app is marked failed"
stop_host TERM
is "$HOST_RC" 0 "the host stops cleanly"
done_testing
