#!/bin/sh
# kill -9 while a heavy replay is out on the replay thread
# (runtime/engine_offload.c). A fan-in of FAN activities whose every replay
# also burns SPIN_MS of CPU (scale_slow_fan_in) leaves the engine thread
# after its first episode and stays out long enough to be seen. The test
# polls /admin/host/status until
# taskHub.engine.replayThread.inFlight says a replay is out, kills the host
# with SIGKILL at once, restarts it, and checks that the fan-in completes
# with every result, each activity scheduled and completed exactly once.
# It also checks the replay thread's counters: present from the start, and
# consistent once everything is done (every returned replay was either
# applied or dropped, none is left in flight).
. "$(dirname "$0")/../lib.sh"
root="$T_DIR/app"
make_root "$root" "[\"$CFUNC_BUILD/tests/20-abi/scale_app.so\"]" \
	'"logging": { "logLevel": { "default": "Warning" } }'
FAN=3000
SPIN_MS=400
START="$BASE/runtime/webhooks/durabletask/orchestrators"

replay() { # replay <field>: the replay thread's counter, or "none"
	curl -s --max-time 5 "$BASE/admin/host/status" |
		jq -r ".taskHub.engine.replayThread.$1 // \"none\""
}

start_host "$root"
ok $? "host starts"
START="$BASE/runtime/webhooks/durabletask/orchestrators"
s=$(curl -s --max-time 5 "$BASE/admin/host/status")
is "$(printf '%s' "$s" | jq -c '.taskHub.engine.replayThread | [.offloaded, .inFlight, .returned, .applied, .dropped]')" \
	"[0,0,0,0,0]" "status: the replay thread's counters start at 0"
is "$(printf '%s' "$s" | jq -r '.taskHub.engine.replayThread | (.totalMs | type) + " " + (.longestMs | type)')" \
	"number number" "status: its replay times are numbers"
is "$(printf '%s' "$s" | jq -r '.taskHub.status')" Healthy "status: the rest of taskHub is unchanged"

CODE=$(http -X POST -d "{\"count\":$FAN,\"spinMs\":$SPIN_MS}" "$START/scale_slow_fan_in")
is "$CODE" 202 "fan-out of $FAN accepted"
ID=$(jq -r '.id // empty' "$BODY_FILE")

# Until a replay is out (60 s at most): then SIGKILL without delay.
seen=1
end=$(($(date +%s) + 60))
while [ "$(date +%s)" -lt "$end" ]; do
	n=$(replay inFlight)
	if [ "$n" != none ] && [ "$n" -ge 1 ]; then
		kill -9 "$HOST_PID"
		seen=0
		break
	fi
done
ok $seen "a replay was seen in flight on the replay thread, and the host killed then"
if [ $seen -ne 0 ]; then
	echo "# status: $(curl -s --max-time 5 "$BASE/admin/host/status" | jq -c .taskHub.engine)"
	kill -9 "$HOST_PID"
fi
wait "$HOST_PID" 2>/dev/null
HOST_PID=""

start_host "$root"
ok $? "host starts again on the same task hub"
START="$BASE/runtime/webhooks/durabletask/orchestrators"
U="$BASE/runtime/webhooks/durabletask/instances/$ID"
i=0
st=""
while [ $i -lt 1200 ]; do
	st=$(curl -s --max-time 5 "$U" | jq -r .runtimeStatus)
	[ "$st" = Completed ] || [ "$st" = Failed ] && break
	sleep 0.1
	i=$((i + 1))
done
is "$st" Completed "after the restart the fan-in completes"
is "$(curl -s --max-time 10 "$U" | jq -c .output)" "$FAN" "with all $FAN results"
curl -s --max-time 30 "$U?showHistory=true" >"$T_DIR/hist"
# The func-style history folds each TaskScheduled into its TaskCompleted:
# an activity scheduled twice, or a result recorded twice, would show as an
# event more than start + FAN results + end.
is "$(jq '[.historyEvents[] | select(.EventType == "TaskCompleted")] | length' "$T_DIR/hist")" "$FAN" \
	"each result recorded once"
is "$(jq -c '[.historyEvents | length, (map(.EventType) | unique)]' "$T_DIR/hist")" \
	"[$((FAN + 2)),[\"ExecutionCompleted\",\"ExecutionStarted\",\"TaskCompleted\"]]" \
	"and nothing else: no activity scheduled twice by the replay that was lost"

# Quiescent: every replay handed over came back and was applied or dropped
# (counted just after the commit that completed the instance: poll, 5 s).
i=0
while :; do
	q=$(curl -s --max-time 5 "$BASE/admin/host/status" |
		jq -r '.taskHub.engine.replayThread | (.inFlight == 0 and .returned == .offloaded and .returned == .applied + .dropped)')
	[ "$q" = true ] || [ $i -ge 100 ] && break
	sleep 0.05
	i=$((i + 1))
done
is "$q" true "status: nothing in flight, each returned replay applied or dropped"
stop_host
done_testing
