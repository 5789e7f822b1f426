#!/bin/sh
# `cfunc replay`: instances run on the host, their stored histories read
# through the host (cfunc durable get-history --json, cfunc replay --id) and
# from the hub file once it stopped, then replayed against the same build
# (clean, exit 0) and, after the app file is rebuilt from changed code,
# against the changed build (the divergence named, exit 1). One instance
# fans out over two different activities whose results always come back in
# the opposite order of the calls, next to a sub-orchestration (doing the
# same) and timers, then races them in a when_any won by the later call.
# Bad input is exit 2 with a message.
. "$(dirname "$0")/../lib.sh"

app=$T_DIR/app.so
root=$T_DIR/root
cp "$CFUNC_BUILD/tests/20-abi/replay_v1.so" "$app"
make_root "$root" "[\"$app\"]" '"extensions": {"durableTask": {"maxConcurrentActivityFunctions": 4}}'
mkdir "$T_DIR/marks" "$T_DIR/late"
d() { "$CFUNC" durable "$@" --script-root "$root"; }
replay() { "$CFUNC" replay --script-root "$root" "$@"; }
# stored <id> <seq>: polls (15 s at most) until the stored history of <id>
# has the result of its call <seq>.
stored() {
	_st_i=0
	until curl -s --max-time 5 "$BASE/runtime/webhooks/durabletask/instances/$1/history" |
		jq -e "any(.[]; .EventType == \"TaskCompleted\" and .TaskScheduledId == $2)" >/dev/null 2>&1; do
		[ $_st_i -ge 300 ] && return 1
		sleep 0.05
		_st_i=$((_st_i + 1))
	done
}
# child <id>: the instance id of <id>'s sub-orchestration, once it is stored.
child() {
	_ch_i=0
	while :; do
		_ch=$(curl -s --max-time 5 "$BASE/runtime/webhooks/durabletask/instances/$1/history" |
			jq -r '.[] | select(.EventType == "SubOrchestrationInstanceCreated") | .InstanceId' 2>/dev/null)
		[ -n "$_ch" ] && { echo "$_ch"; return 0; }
		[ $_ch_i -ge 300 ] && return 1
		sleep 0.05
		_ch_i=$((_ch_i + 1))
	done
}

start_host "$root"
orch_start order_flow ''
is "$CODE" "202" "order_flow starts on the v1 build"
ORDER=$ID
wait_for "$ORDER" '.runtimeStatus == "Completed"'
ok $? "it completes"
# Each slow call is let go only once the fast call made after it is stored.
marks=$T_DIR/marks
orch_start mixed_flow "\"$marks\""
is "$CODE" "202" "mixed_flow starts"
MIX=$ID
stored "$MIX" 1
ok $? "fast (call 1) completes while slow (call 0) waits"
touch "$marks/a"
CHILD=$(child "$MIX")
stored "$CHILD" 2
ok $? "in the child too"
touch "$marks/c"
stored "$MIX" 5
ok $? "then the when_any's fast call (5) completes while its slow one (4) waits"
touch "$marks/b"
wait_for "$MIX" '.runtimeStatus == "Completed"'
ok $? "it completes"
is "$(printf '%s' "$ST" | jq -c .output)" '{"fan":["slow","fast",["slow",null,"fast"],null],"won":"fast","late":"slow"}' \
	"with every result where the code expects it"

# Through the host: the endpoint, get-history --json, replay --id.
CODE=$(http "$BASE/runtime/webhooks/durabletask/instances/$MIX/history")
is "$CODE" "200" "GET instances/{id}/history answers 200"
cp "$BODY_FILE" "$T_DIR/api.json"
is "$(http "$BASE/runtime/webhooks/durabletask/instances/nope/history")" "404" "404 for an unknown instance"
d get-history --id "$MIX" --json >"$T_DIR/online.json"
is "$(jq -c . "$T_DIR/online.json")" "$(jq -c . "$T_DIR/api.json")" "get-history --json prints what the endpoint gives"
# The case a rebuilt history got wrong: the call made second completed first.
is "$(jq -c '[.[] | select(.EventType == "TaskScheduled") | [.EventId, .Name]][0:2]' "$T_DIR/online.json")" \
	'[[0,"slow"],[1,"fast"]]' "slow is call 0, fast call 1"
is "$(jq -c '[.[] | select(.EventType == "TaskCompleted") | .TaskScheduledId][0:2]' "$T_DIR/online.json")" \
	'[1,0]' "and fast's result was stored before slow's"
is "$(jq -c '[.[] | select(.EventType == "TaskCompleted") | .TaskScheduledId][2:4]' "$T_DIR/online.json")" \
	'[5,4]' "in the when_any too"
is "$(jq -c '[.[] | .EventType | select(. == "SubOrchestrationInstanceCreated" or . == "TimerCreated" or . == "TimerFired")] | sort' "$T_DIR/online.json")" \
	'["SubOrchestrationInstanceCreated","TimerCreated","TimerCreated","TimerFired"]' "a child and timers, one of them cancelled"
out=$(replay --id "$MIX" 2>&1)
is "$?" "0" "replay --id through the running host: clean (exit 0)"
like "$out" "^Replayed 'mixed_flow' \(instance '$MIX'\): the current build makes the 7 recorded call\(s\) in the same order and ends Completed, as recorded\.$" \
	"all seven calls matched"
out=$(replay --id "$CHILD" 2>&1)
is "$?" "0" "the child's own history replays cleanly"
like "$out" "^Replayed 'child_flow' \(instance '$CHILD'\): the current build makes the 3 recorded call\(s\)" "its three calls matched"

# Terminated while its slow calls wait for their markers.
late=$T_DIR/late
orch_start mixed_flow "\"$late\""
TERM=$ID
stored "$TERM" 1
ok $? "another mixed_flow has fast's result and waits for slow's"
d terminate --id "$TERM" --reason enough >/dev/null
wait_for "$TERM" '.runtimeStatus == "Terminated"'
ok $? "it is terminated"
touch "$late/a" "$late/c"
out=$(replay --id "$TERM" 2>&1)
is "$?" "0" "a terminated history replays cleanly"
like "$out" "^Replayed 'mixed_flow' \(instance '$TERM'\): the current build makes the 4 recorded call\(s\) in the same order up to the recorded termination\.$" \
	"up to the termination"
stop_host

# From the hub file: the same events, and the same verdicts.
d get-history --id "$MIX" --json >"$T_DIR/offline.json"
is "$(jq -c . "$T_DIR/offline.json")" "$(jq -c . "$T_DIR/online.json")" "offline get-history --json gives the same events"
out=$(replay --id "$MIX" 2>&1)
is "$?" "0" "replay --id on the hub file: clean"
out=$(replay --history "$T_DIR/offline.json" 2>&1)
is "$?" "0" "replay --history of the exported file: clean"
like "$out" "makes the 7 recorded call\(s\) in the same order and ends Completed, as recorded" "with the same message"
out=$(replay --history - <"$T_DIR/offline.json" 2>&1)
is "$?" "0" "'-' reads the history from stdin"
d get-history --id "$ORDER" --json >"$T_DIR/order.json"
out=$(cd "$root" && "$CFUNC" replay --history "$T_DIR/order.json" 2>&1)
is "$?" "0" "order_flow replays cleanly from the app root"
like "$out" "^Replayed 'order_flow' \(instance '$ORDER'\): the current build makes the 3 recorded call\(s\) in the same order and ends Completed, as recorded\.$" \
	"and says so"

# The code changes: the app file is rebuilt from replay_v2.c.
cp "$CFUNC_BUILD/tests/20-abi/replay_v2.so" "$app"
out=$(replay --id "$MIX" 2>&1)
is "$?" "1" "the changed build diverges (exit 1)"
like "$out" "^Divergence in 'mixed_flow' \(instance '$MIX'\): Non-Deterministic workflow detected: " "with the replay engine's message"
like "$out" "sequence number 5 named 'fast'.*named 'quick'" "naming the sequence number and both calls"
out=$(replay --history "$T_DIR/order.json" 2>&1)
is "$?" "1" "order_flow diverges too"
like "$out" "sequence number 2 named 'charge'.*named 'ship'" "at its second activity"
out=$(replay --id "$CHILD" 2>&1)
is "$?" "0" "the unchanged child still replays cleanly"
cp "$CFUNC_BUILD/tests/20-abi/replay_v1.so" "$app"

# A fan-out of five calls to one function, completing in any order.
fo=$T_DIR/fan
make_root "$fo" "[\"$CFUNC_BUILD/samples/durable_hello.so\",\"$CFUNC_BUILD/samples/fan_out_fan_in.so\"]"
start_host "$fo"
orch_start fan_out_fan_in '{"count":5}'
wait_for "$ID" '.runtimeStatus == "Completed"'
ok $? "a fan-out of five completes"
stop_host
out=$("$CFUNC" replay --id "$ID" --script-root "$fo" 2>&1)
is "$?" "0" "its history replays cleanly"
like "$out" "makes the 5 recorded call\(s\) in the same order and ends Completed" "all five calls matched"

# Bad input: exit 2, a message, and nothing run.
out=$(replay --history "$T_DIR/missing.json" 2>&1)
is "$?" "2" "a missing file is exit 2"
like "$out" "cannot read .*missing.json" "naming the file"
printf '[{"EventId": ' >"$T_DIR/broken.json"
out=$(replay --history "$T_DIR/broken.json" 2>&1)
is "$?" "2" "a file that is not JSON is exit 2"
like "$out" "broken.json: not JSON \(line 1" "with the line"
printf '{"name":"mixed_flow","historyEvents":[{"EventType":"ExecutionStarted","Timestamp":"2026-01-01T00:00:00Z"}]}' >"$T_DIR/status.json"
out=$(replay --history "$T_DIR/status.json" 2>&1)
is "$?" "2" "the management API's status JSON is exit 2"
like "$out" "management API's status.*get-history --id <id> --json" "saying why and how to export the history"
jq '[.[] | del(.EventId)]' "$T_DIR/offline.json" >"$T_DIR/noids.json"
out=$(replay --history "$T_DIR/noids.json" 2>&1)
is "$?" "2" "events without ids are exit 2"
like "$out" "history row 1 \(OrchestratorStarted\): no EventId" "naming the row"
jq '.[1].Timestamp = "yesterday"' "$T_DIR/offline.json" >"$T_DIR/badtime.json"
out=$(replay --history "$T_DIR/badtime.json" 2>&1)
is "$?" "2" "a row with a bad time is exit 2"
like "$out" "history row 2: Timestamp is not an ISO 8601 time" "naming the row and the field"
jq '(.[] | select(.EventType == "TaskCompleted") | .TaskScheduledId) |= "one"' "$T_DIR/order.json" >"$T_DIR/badid.json"
out=$(replay --history "$T_DIR/badid.json" 2>&1)
is "$?" "2" "a TaskScheduledId that is not a number is exit 2"
like "$out" "TaskScheduledId is not an integer" "naming the field"
jq '[.[] | select(.EventType != "ExecutionStarted")]' "$T_DIR/order.json" >"$T_DIR/nostart.json"
out=$(replay --history "$T_DIR/nostart.json" 2>&1)
is "$?" "2" "a history without ExecutionStarted is exit 2"
like "$out" "no ExecutionStarted" "saying so"
echo '[]' >"$T_DIR/empty.json"
out=$(replay --history "$T_DIR/empty.json" 2>&1)
is "$?" "2" "an empty history is exit 2"
jq '(.[] | select(.EventType == "TaskScheduled") | .EventId) |= 0' "$T_DIR/order.json" >"$T_DIR/dup.json"
out=$(replay --history "$T_DIR/dup.json" 2>&1)
is "$?" "2" "a history with a sequence number twice is exit 2"
like "$out" "cannot be replayed: corrupt history: duplicate sequence number" "with the replay engine's reason"
out=$(replay --history "$T_DIR/order.json" --orchestrator nope 2>&1)
is "$?" "2" "an orchestrator the build lacks is exit 2"
like "$out" "have no orchestrator 'nope'" "naming it"
out=$(replay --id nope 2>&1)
is "$?" "2" "an unknown instance is exit 2"
like "$out" "has no instance 'nope'" "naming it"
out=$(replay 2>&1)
is "$?" "2" "neither --history nor --id is exit 2"
out=$(replay --history "$T_DIR/order.json" --id "$ORDER" 2>&1)
is "$?" "2" "both is exit 2"
like "$out" "one of them" "saying to give one"
out=$(replay --history 2>&1)
is "$?" "2" "--history without a file is exit 2"
like "$out" "unknown or incomplete option '--history'" "naming the option"
out=$(replay --id "$ORDER" --bogus 2>&1)
is "$?" "2" "an unknown option is exit 2"
out=$(replay --history "$T_DIR/order.json" --task-hub-name other 2>&1)
is "$?" "2" "--task-hub-name without --id is exit 2"
like "$out" "goes with --id" "saying so"
out=$(replay --id "$ORDER" --task-hub-name other 2>&1)
is "$?" "2" "another task hub has no such instance"
like "$out" "task hub 'other' has no instance '$ORDER'" "naming hub and instance"

done_testing
