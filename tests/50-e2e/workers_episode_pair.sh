#!/bin/sh
# workers_episode_pair.sh - each app has two episode workers: while the
# replay thread holds one with a long replay, the engine thread's batches
# run in the other, so other instances complete; a kill -9 of the one the
# engine uses leaves the held replay where it is, and the killed one is
# replaced; a deploy replaces both; cfunc.episodeWorkers 1 keeps one.
. "$CFUNC_ROOT/tests/lib.sh"
. "$CFUNC_ROOT/tests/lib_workers.sh"

# "workers": 1 -> 2 call workers + 2 episode workers.
workers_root 1 - "$ABI/held_replay.so"
cp "$R/apps/held_replay.so" "$T_DIR/held_replay.so"
start_workers_host
F="$BASE/admin/host/functions"
APP='.workers.apps[] | select(.app == "held_replay")'
# eps: the episode workers' pids, sorted, on one line.
eps() { curl -s --max-time 10 "$F" | jq -r "[$APP | .workers[] | select(.episodes and .state != \"replaced\" and .state != \"stopping\") | .pid] | sort | join(\" \")"; }
# poll_eps <jq condition on the app's workers>: up to 10 s.
poll_eps() {
	_i=0
	until [ "$(curl -s --max-time 10 "$F" | jq "[$APP | .workers[]] | $1")" = true ] || [ $_i -ge 200 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	[ "$(curl -s --max-time 10 "$F" | jq "[$APP | .workers[]] | $1")" = true ]
}
poll_eps 'length == 4 and all(.state == "ready")'
ok $? "four workers start and get ready"
is "$(http "$F"; jq -c "[$APP | .workers[] | .episodes] | sort" "$BODY_FILE")" '200[false,false,true,true]' \
	"two of them run orchestrator episodes"

START="$BASE/runtime/webhooks/durabletask/orchestrators"
GATE="$T_DIR/gate"
is "$(http -X POST -d "{\"gate\":\"$GATE\"}" "$START/held/held1")" 202 "start the held orchestration"
_i=0
while [ ! -s "$GATE.held" ] && [ $_i -lt 300 ]; do
	sleep 0.05
	_i=$((_i + 1))
done
held_pid=$(cat "$GATE.held" 2>/dev/null)
ok "$([ -n "$held_pid" ]; echo $?)" "its second episode is held in a worker (pid $held_pid)"
is "$(curl -s "$BASE/admin/host/status" | jq '.taskHub.engine.replayThread.inFlight')" 1 \
	"… on the replay thread"
case " $(eps) " in *" $held_pid "*) r=0 ;; *) r=1 ;; esac
ok $r "… in one of the two episode workers"

is "$(http -X POST -d '"q1"' "$START/quick/q1")" 202 "start another orchestration meanwhile"
wait_for q1 '.runtimeStatus == "Completed"'
ok $? "it completes while the long replay is held"
is "$(printf '%s' "$ST" | jq -r .output)" q1 "… with its output"

# The engine thread's episode worker: the other one.
other=$(for p in $(eps); do [ "$p" != "$held_pid" ] && echo "$p"; done)
ok "$([ -n "$other" ]; echo $?)" "the other episode worker is $other"
ok "$([ "$(curl -s "$F" | jq "[$APP | .workers[] | select(.pid == ${other:-0}) | .served][0]")" -ge 1 ]; echo $?)" \
	"… and it served the engine thread's episodes"
kill -9 "$other"
wait_gone "$other"
is "$(http -X POST -d '"q2"' "$START/quick/q2")" 202 "kill -9 it, start one more"
wait_for q2 '.runtimeStatus == "Completed"'
ok $? "that one completes too"
like "$(wait_log "Worker process $other of app 'held_replay' died")" "replaced by process [0-9]+" \
	"the killed episode worker is replaced"
poll_eps "[.[] | select(.episodes) | .pid] | length == 2 and (index(${other:-0}) | not) and (index($held_pid) != null)"
ok $? "two episode workers again: the held one and the replacement"
is "$(curl -s "$BASE/runtime/webhooks/durabletask/instances/held1" | jq -r .runtimeStatus)" Running \
	"the held orchestration still runs"

touch "$GATE"
wait_for held1 '.runtimeStatus == "Completed"'
ok $? "open the gate: the held orchestration completes"
is "$(printf '%s' "$ST" | jq -r .output)" through "… with its activity's result"

# A deploy starts two new episode workers and the old ones leave.
before=$(eps)
deploy "$T_DIR/held_replay.so" held_replay
like "$(wait_log "Deployed app 'held_replay' again")" "4 worker\(s\) of the new build ready" \
	"a deploy starts four workers of the new build"
for p in $before; do
	wait_gone "$p" || echo "# old episode worker $p still runs"
done
after=$(eps)
gone=0
for p in $before; do kill -0 "$p" 2>/dev/null || gone=$((gone + 1)); done
is "$gone" 2 "both old episode workers left"
is "$(printf '%s\n' "$after" | wc -w | tr -d ' ')" 2 "two new ones serve ($after)"
is "$(http -X POST -d '"q3"' "$START/quick/q3")" 202 "start one on the new build"
wait_for q3 '.runtimeStatus == "Completed"'
ok $? "it completes"
stop_host TERM
is "$HOST_RC" 0 "the host stops cleanly"

# cfunc.episodeWorkers: 1 keeps one, as before.
printf '{ "version": "2.0", "cfunc": { "apps": ["apps"], "workers": 1, "episodeWorkers": 1 } }\n' >"$R/host.json"
start_workers_host
F="$BASE/admin/host/functions"
START="$BASE/runtime/webhooks/durabletask/orchestrators"
poll_eps 'length == 3 and all(.state == "ready")'
ok $? "with episodeWorkers 1: three workers"
is "$(http "$F"; jq -c "[$APP | .workers[] | .episodes] | sort" "$BODY_FILE")" '200[false,false,true]' \
	"… one of them for episodes"
is "$(http -X POST -d '"q4"' "$START/quick/q4")" 202 "start one"
wait_for q4 '.runtimeStatus == "Completed"'
ok $? "it completes"
stop_host TERM
is "$HOST_RC" 0 "the host stops cleanly"
done_testing
