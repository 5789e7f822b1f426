#!/bin/sh
# Large histories end to end (tests/20-abi/scale_app.c): a fan-out/fan-in of
# 20,000 activities and a chain of 300 complete with the right output in
# bounded time, and while the fan-in runs, other instances' starts are still
# acknowledged promptly. (The replay cost itself is checked for linear
# growth by tests/10-replay/scale.c; the benchmark with 100,000 is
# bench/scale.sh.) Bad counts fail the orchestration with a reason.
. "$(dirname "$0")/../lib.sh"
root="$T_DIR/app"
make_root "$root" "[\"$CFUNC_BUILD/tests/20-abi/scale_app.so\"]" \
	'"logging": { "logLevel": { "default": "Warning" } }'
start_host "$root"
ok $? "host starts"

START="$BASE/runtime/webhooks/durabletask/orchestrators"
FAN=20000
SEQ=300
# Generous: the machine running the tests may be loaded; a start stuck
# behind a long episode took seconds before episodes were paced.
MAX_ACK_S=2

start() { # start <orchestrator> <count>: sets CODE and ID
	CODE=$(http -X POST -d "{\"count\":$2}" "$START/$1")
	ID=$(jq -r '.id // empty' "$BODY_FILE" 2>/dev/null)
}

# status <id>: prints runtimeStatus
status() {
	curl -s --max-time 5 "$BASE/runtime/webhooks/durabletask/instances/$1" | jq -r .runtimeStatus
}

# wait_done <id> <seconds>: polls until Completed or Failed, or the bound.
wait_done() {
	_end=$(($(date +%s) + $2))
	while :; do
		ST=$(status "$1")
		[ "$ST" = Completed ] || [ "$ST" = Failed ] && return 0
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep 0.05
	done
}

t0=$(date +%s)
start scale_fan_out "$FAN"
is "$CODE" 202 "fan-out of $FAN accepted"
fan=$ID
# Probe starts while the fan-in runs: each must be acknowledged quickly.
slow=0
probes=0
while [ "$(status "$fan")" = Running ] && [ $probes -lt 200 ]; do
	t=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 20 -X POST -d '{"count":0}' "$START/scale_sequence")
	probes=$((probes + 1))
	[ "${t%% *}" = 202 ] || slow=$((slow + 1))
	awk -v t="${t#* }" -v m="$MAX_ACK_S" 'BEGIN { exit !(t > m) }' && slow=$((slow + 1))
done
wait_done "$fan" 60
ok $? "fan-out of $FAN finishes"
is "$ST" Completed "and completes"
is "$(curl -s "$BASE/runtime/webhooks/durabletask/instances/$fan" | jq -c .output)" "$FAN" \
	"with all $FAN results in the fan-in"
echo "# fan-out of $FAN: $(($(date +%s) - t0)) s, $probes probe starts"
is "$slow" 0 "every start during the fan-in was acknowledged (202) within $MAX_ACK_S s"
curl -s "$BASE/runtime/webhooks/durabletask/instances/$fan?showHistory=true" >"$T_DIR/hist"
is "$(jq '[.historyEvents[] | select(.EventType == "TaskCompleted")] | length' "$T_DIR/hist")" "$FAN" \
	"the history holds each result once"

t0=$(date +%s)
start scale_sequence "$SEQ"
is "$CODE" 202 "chain of $SEQ accepted"
wait_done "$ID" 60
ok $? "chain of $SEQ finishes"
is "$ST" Completed "and completes"
is "$(curl -s "$BASE/runtime/webhooks/durabletask/instances/$ID" | jq -c .output)" "$SEQ" \
	"each step fed the previous result"
echo "# chain of $SEQ: $(($(date +%s) - t0)) s"

# Every probe started above completed too (none was lost behind the fan-in).
n=$(curl -s "$BASE/runtime/webhooks/durabletask/instances?runtimeStatus=Running,Pending&top=1000" | jq length)
is "$n" 0 "no instance is left running"

# --- bad input
for bad in '-1' '"many"' '2.5' '100001'; do
	start scale_fan_out "$bad"
	wait_done "$ID" 10
	is "$ST" Failed "count $bad fails the orchestration"
	like "$(curl -s "$BASE/runtime/webhooks/durabletask/instances/$ID" | jq -r .output)" \
		"count must be an integer from 0 to 100000" "with the reason"
done
start scale_fan_out 0
wait_done "$ID" 10
is "$(curl -s "$BASE/runtime/webhooks/durabletask/instances/$ID" | jq -c .output)" 0 "a fan-out of 0 completes at once"

stop_host
done_testing
