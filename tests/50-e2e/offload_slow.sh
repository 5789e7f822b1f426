#!/bin/sh
# A replay that takes longer than results stay parked (ENGINE_OFFLOAD_PARK_US,
# 2 s; runtime/engine_offload.c). scale_slow_fan_in burns SPIN_MS of CPU in
# every replay, so its second episode goes to the replay thread and stays
# out for SPIN_MS; the results that come meanwhile are parked and become
# visible while the instance is still busy. The engine must neither spin
# on them (the batch count stays flat while the replay is out) nor run the
# replay again and again: the instance completes with every result, after a
# few replays, none dropped.
. "$(dirname "$0")/../lib.sh"
root="$T_DIR/app"
make_root "$root" "[\"$CFUNC_BUILD/tests/20-abi/scale_app.so\"]" \
	'"logging": { "logLevel": { "default": "Warning" } }'
FAN=40
SPIN_MS=3000
PARK_MS=2000

engine() { # engine <jq path under taskHub.engine>
	curl -s --max-time 5 "$BASE/admin/host/status" | jq -r ".taskHub.engine.$1 // \"none\""
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

start_host "$root"
ok $? "host starts"
START="$BASE/runtime/webhooks/durabletask/orchestrators"
# The first episode runs on the engine thread (no cost known yet): the 202
# comes after it.
CODE=$(curl -s -o "$BODY_FILE" -w '%{http_code}' --max-time 30 -X POST \
	-d "{\"count\":$FAN,\"spinMs\":$SPIN_MS}" "$START/scale_slow_fan_in")
is "$CODE" 202 "slow fan-in of $FAN accepted"
ID=$(jq -r '.id // empty' "$BODY_FILE")

# Watch one replay from when it is seen out until it is back (30 s at most).
first="" last="" b_first="" b_last="" back=1
end=$(($(date +%s) + 30))
while [ "$(date +%s)" -lt "$end" ]; do
	s=$(curl -s --max-time 5 "$BASE/admin/host/status" | jq -r '.taskHub.engine | "\(.replayThread.inFlight) \(.replayThread.returned) \(.batches)"')
	t=$(now_ms)
	read -r out returned batches <<EOF
$s
EOF
	if [ -z "$first" ]; then
		[ "$out" -ge 1 ] 2>/dev/null || continue
		first=$t b_first=$batches returned0=$returned
	elif [ "$returned" -gt "$returned0" ]; then
		back=0
		break
	fi
	last=$t b_last=$batches
done
ok $back "a replay went out and came back"
span=$((last - first))
[ "$span" -gt "$PARK_MS" ]
ok $? "it was seen out for longer than results stay parked (${span} ms > ${PARK_MS} ms)"
batches=$((b_last - b_first))
[ "$batches" -le 20 ]
ok $? "the engine did not spin meanwhile ($batches batches while the replay was out)"

U="$BASE/runtime/webhooks/durabletask/instances/$ID"
i=0
st=""
while [ $i -lt 600 ]; do
	st=$(curl -s --max-time 5 "$U" | jq -r .runtimeStatus)
	[ "$st" = Completed ] || [ "$st" = Failed ] && break
	sleep 0.1
	i=$((i + 1))
done
is "$st" Completed "the instance completes"
is "$(curl -s --max-time 10 "$U" | jq -c .output)" "$FAN" "with all $FAN results"
curl -s --max-time 30 "$U?showHistory=true" >"$T_DIR/hist"
is "$(jq -c '[(.historyEvents | length), ([.historyEvents[] | select(.EventType == "TaskCompleted")] | length)]' "$T_DIR/hist")" \
	"[$((FAN + 2)),$FAN]" "each result recorded once, nothing else added"
r=$(engine replayThread)
is "$(printf '%s' "$r" | jq -r '.dropped')" 0 "no replay outcome was dropped"
n=$(printf '%s' "$r" | jq -r '.offloaded')
[ "$n" -ge 1 ] && [ "$n" -le 4 ]
ok $? "the replay was not run again and again ($n replays on the replay thread)"
like "$(printf '%s' "$r" | jq -r '.longestMs')" '^[0-9]' "the longest replay is reported"
printf '%s' "$r" | jq -e ".longestMs >= $SPIN_MS" >/dev/null
ok $? "and took at least the burnt ${SPIN_MS} ms"
stop_host
done_testing
