#!/bin/sh
# `cfunc replay`: an instance run on the host, its history exported from the
# management API (showHistory=true&showHistoryOutput=true), then replayed
# against the same build (clean, exit 0) and against a build whose
# orchestrator changed its second call (the divergence named, exit 1); bad
# input is exit 2 with a message.
. "$(dirname "$0")/../lib.sh"

v1=$T_DIR/v1
v2=$T_DIR/v2
make_root "$v1" "[\"$CFUNC_BUILD/tests/20-abi/replay_v1.so\"]"
make_root "$v2" "[\"$CFUNC_BUILD/tests/20-abi/replay_v2.so\"]"

start_host "$v1"
orch_start order_flow ''
is "$CODE" "202" "order_flow starts on the v1 build"
wait_for "$ID" '.runtimeStatus == "Completed"'
ok $? "it completes"
hist=$T_DIR/history.json
curl -s "$BASE/runtime/webhooks/durabletask/instances/$ID?showHistory=true&showHistoryOutput=true" >"$hist"
is "$(jq -c '[.historyEvents[].EventType]' "$hist")" '["ExecutionStarted","TaskCompleted","TimerCreated","TimerFired","TaskCompleted","ExecutionCompleted"]' "the exported history has the rows of the run"
stop_host

out=$(cd "$v1" && "$CFUNC" replay --history "$hist" 2>&1)
is "$?" "0" "the same build replays its own history cleanly (exit 0)"
like "$out" "^Replayed 'order_flow' \(instance '$ID'\): the current build makes the 3 recorded call\(s\) in the same order and ends Completed, as recorded\.$" \
	"and says so"
jq '.historyEvents' "$hist" >"$T_DIR/array.json"
out=$("$CFUNC" replay --history "$T_DIR/array.json" --script-root "$v1" --orchestrator order_flow 2>&1)
is "$?" "0" "the bare historyEvents array replays too"

out=$("$CFUNC" replay --history "$hist" --script-root "$v2" 2>&1)
is "$?" "1" "the changed build diverges (exit 1)"
like "$out" "^Divergence in 'order_flow' \(instance '$ID'\): Non-Deterministic workflow detected: " "the replay engine's message"
like "$out" "sequence number 2 named 'charge'.*named 'ship'" "naming the sequence number and both calls"

# A fan-out: five calls scheduled in one episode, completing in any order.
fo=$T_DIR/fan
make_root "$fo" "[\"$CFUNC_BUILD/samples/durable_hello.so\",\"$CFUNC_BUILD/samples/fan_out_fan_in.so\"]"
start_host "$fo"
orch_start fan_out_fan_in '{"count":5}'
wait_for "$ID" '.runtimeStatus == "Completed"'
ok $? "a fan-out of five completes"
curl -s "$BASE/runtime/webhooks/durabletask/instances/$ID?showHistory=true&showHistoryOutput=true" >"$T_DIR/fan.json"
stop_host
out=$("$CFUNC" replay --history "$T_DIR/fan.json" --script-root "$fo" 2>&1)
is "$?" "0" "its history replays cleanly"
like "$out" "makes the 5 recorded call\(s\) in the same order and ends Completed" "all five calls matched"

# Bad input: exit 2, a message, and nothing run.
out=$("$CFUNC" replay --history "$T_DIR/missing.json" --script-root "$v1" 2>&1)
is "$?" "2" "a missing file is exit 2"
like "$out" "cannot read .*missing.json" "naming the file"
printf '{"historyEvents": [' >"$T_DIR/broken.json"
out=$("$CFUNC" replay --history "$T_DIR/broken.json" --script-root "$v1" 2>&1)
is "$?" "2" "a file that is not JSON is exit 2"
like "$out" "broken.json: not JSON \(line 1" "with the line"
echo '{"name":"x"}' >"$T_DIR/nohist.json"
out=$("$CFUNC" replay --history "$T_DIR/nohist.json" --script-root "$v1" 2>&1)
is "$?" "2" "a status without historyEvents is exit 2"
like "$out" "showHistory=true" "saying how to export it"
jq '.historyEvents[1].ScheduledTime = "yesterday"' "$hist" >"$T_DIR/badtime.json"
out=$("$CFUNC" replay --history "$T_DIR/badtime.json" --script-root "$v1" 2>&1)
is "$?" "2" "a row with a bad time is exit 2"
like "$out" "history row 2 \(TaskCompleted\): no valid ScheduledTime" "naming the row"
out=$("$CFUNC" replay --history "$hist" --script-root "$v1" --orchestrator nope 2>&1)
is "$?" "2" "an orchestrator the build lacks is exit 2"
like "$out" "have no orchestrator 'nope'" "naming it"
out=$("$CFUNC" replay --script-root "$v1" 2>&1)
is "$?" "2" "no --history is exit 2"

done_testing
