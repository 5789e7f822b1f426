#!/bin/sh
# A fan-out never stalls: fan-outs larger than the engine's per-batch
# activity limit (2,048), with the host pinned to one core, must complete
# without anything unrelated waking the engine (issue 10, item 3). Before
# the fix the engine could fall asleep with thousands of visible activities
# queued; here nothing else happens, so a stall shows as a timeout.
. "$CFUNC_ROOT/tests/lib.sh"

ABI="$CFUNC_BUILD/tests/20-abi"
W_PATH=runtime/webhooks/durabletask
SIZES=${STALL_SIZES:-"3000 10000 5000"}
LIMIT_S=${STALL_LIMIT_S:-40} # per fan-out; a healthy 10,000 takes ~8 s on one core

# Pin the host to one core; exec keeps the PID for stop_host.
real=$CFUNC
CFUNC="$T_DIR/cfunc-one-core"
printf '#!/bin/sh\nexec taskset -c 0 "%s" "$@"\n' "$real" >"$CFUNC"
chmod +x "$CFUNC"

root="$T_DIR/app"
make_root "$root" "[\"$ABI/engine_app.so\"]"
start_host "$root" || { ok 1 "host starts on one core"; done_testing; exit; }
like "$(taskset -p "$HOST_PID" 2>/dev/null)" "affinity list: 0$|mask: 1$" "the host runs on one core"

# wait_done <id> <seconds>: polls until Completed; sets SECS (elapsed).
wait_done() {
	_t0=$(date +%s%N)
	_limit=$(($2 * 10))
	_i=0
	while [ $_i -lt $_limit ]; do
		st=$(curl -s --max-time 5 "$BASE/$W_PATH/instances/$1" | jq -r .runtimeStatus 2>/dev/null)
		[ "$st" = Completed ] && break
		sleep 0.1
		_i=$((_i + 1))
	done
	SECS=$(( ($(date +%s%N) - _t0) / 1000000 ))
	[ "$st" = Completed ]
}

k=0
for n in $SIZES; do
	k=$((k + 1))
	is "$(http -X POST -H 'Content-Type: application/json' -d "{\"count\":$n}" \
		"$BASE/$W_PATH/orchestrators/fan_out/fan-$k")" "202" "fan-out $k of $n started"
	wait_done "fan-$k" "$LIMIT_S"
	ok $? "fan-out $k of $n completed, nothing else happening (${SECS} ms)"
	is "$(curl -s "$BASE/$W_PATH/instances/fan-$k" | jq -c .output)" "{\"done\":$n}" "with all $n results"
done

# Two at once, beside each other: one's backlog must not wait for the other.
is "$(http -X POST -H 'Content-Type: application/json' -d '{"count":4000}' "$BASE/$W_PATH/orchestrators/fan_out/pair-a")" "202" "pair a started"
is "$(http -X POST -H 'Content-Type: application/json' -d '{"count":3000,"ms":1}' "$BASE/$W_PATH/orchestrators/fan_out/pair-b")" "202" "pair b started"
wait_done pair-a "$LIMIT_S"
ok $? "pair a completed (${SECS} ms)"
wait_done pair-b "$LIMIT_S"
ok $? "pair b completed"

stop_host
is "$HOST_RC" "0" "clean shutdown"
done_testing
