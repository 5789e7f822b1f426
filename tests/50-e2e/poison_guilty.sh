#!/bin/sh
# Poison only the guilty: a fan-out of slow activities queued beside one
# activity that aborts the host. The host is restarted until it stays up;
# every innocent activity must complete and only the crashing one may be
# poisoned (issue 10, item 1). Also: a damaged or stale attempts file next
# to the hub is ignored.
. "$CFUNC_ROOT/tests/lib.sh"
# In process (--in-process) throughout: only there can an activity abort the
# host; with worker processes a crash fails its attempt at once.

ABI="$CFUNC_BUILD/tests/20-abi"
W_PATH=runtime/webhooks/durabletask
COUNT=${POISON_COUNT:-300}
# shellcheck disable=SC3045 # dash and bash have -c; elsewhere it fails quietly
ulimit -c 0 2>/dev/null # abort() on purpose: no core files

root="$T_DIR/app"
make_root "$root" "[\"$ABI/engine_app.so\"]" \
	'"extensions": { "durableTask": { "maxConcurrentActivityFunctions": 8, "storageProvider": { "maxDequeueCount": 3 } } }'

start_host "$root" --in-process || { ok 1 "host starts"; done_testing; exit; }
is "$(http -X POST -H 'Content-Type: application/json' \
	-d "{\"count\":$COUNT,\"ms\":20,\"crash_at\":$((COUNT / 2))}" \
	"$BASE/$W_PATH/orchestrators/fan_beside_crash/guilty")" "202" "fan-out of $COUNT beside a crashing activity started"

# The crash kills the host; restart it until it stays up, that is until
# the orchestration completes with the host alive. Each run is watched until
# the host dies or the instance completes (120 s at most, for a loaded
# machine): a fixed short watch took a slow run for one that stayed up.
restarts=0
st=""
while [ $restarts -lt 10 ]; do
	until=$(($(date +%s) + 120))
	while kill -0 "$HOST_PID" 2>/dev/null && [ "$(date +%s)" -lt "$until" ]; do
		st=$(curl -s --max-time 2 "$BASE/$W_PATH/instances/guilty" | jq -r .runtimeStatus 2>/dev/null)
		[ "$st" = Completed ] && break
		sleep 0.05
	done
	kill -0 "$HOST_PID" 2>/dev/null && break
	wait "$HOST_PID" 2>/dev/null
	restarts=$((restarts + 1))
	# A suspect that runs alone at once may kill the host before it says
	# "Now listening": that is one more crash, counted on the next turn.
	start_host "$root" --in-process || ! kill -0 "$HOST_PID" 2>/dev/null || break
done
ok "$([ $restarts -ge 3 ] && [ $restarts -le 4 ]; echo $?)" "the host went down 3 times (maxDequeueCount) and no more, or once more while pinning it (got $restarts)"
wait_for guilty '.runtimeStatus == "Completed"' '?showHistory=true'
is "$(printf '%s' "$ST" | jq -r .runtimeStatus)" "Completed" "the orchestration completed"
is "$(printf '%s' "$ST" | jq -r .output.ok)" "$COUNT" "every innocent activity completed"
is "$(printf '%s' "$ST" | jq -r .output.failed)" "1" "one activity failed"
like "$(printf '%s' "$ST" | jq -r '.output.errors[0]')" "^Activity function 'crash_item' failed: poisoned: the activity was started 3 times without completing" "the crashing one, poisoned"
is "$(printf '%s' "$ST" | jq '[.historyEvents[] | select(.EventType == "TaskCompleted")] | length')" "$COUNT" "history: $COUNT TaskCompleted"
is "$(printf '%s' "$ST" | jq '[.historyEvents[] | select(.EventType == "TaskFailed")] | length')" "1" "history: one TaskFailed"
like "$(printf '%s' "$ST" | jq -r '.historyEvents[] | select(.EventType == "TaskFailed") | .Reason')" "^Activity function 'crash_item' failed: poisoned" "for crash_item"

# The attempts file is trusted only when it checks out: garbage or slots
# naming rows that no longer exist change nothing.
stop_host
is "$HOST_RC" "0" "clean shutdown"
att="$root/.cfunc/TestHubName.db-attempts"
ok "$([ -f "$att" ]; echo $?)" "the attempts file sits next to the hub"
head -c 8192 /dev/urandom >"$att"
start_host "$root" --in-process
ok $? "a host starts over a damaged attempts file"
is "$(http -X POST -H 'Content-Type: application/json' -d '{"count":20,"ms":1,"crash_at":20}' \
	"$BASE/$W_PATH/orchestrators/fan_out/after-garbage")" "202" "work starts"
wait_for after-garbage '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -c .output)" '{"done":20}' "and completes with no attempt charged"
stop_host
is "$HOST_RC" "0" "clean shutdown"
done_testing
