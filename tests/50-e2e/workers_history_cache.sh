#!/bin/sh
# workers_history_cache.sh - the episode worker keeps the histories it was
# sent and the host sends each episode only what is new (common/wire.h,
# PAST_HELD): a long chain gives the right output and is sent as deltas
# (the counters of /admin/host/status say so); a kill -9 of the episode
# worker mid-chain, an idle eviction in the worker (the host resends in
# full), continue-as-new, a new run under the same instance id and a
# deploy of the app mid-chain all still give the right output; and a
# fan-out of 100,000 activities completes (its episode's result holds more
# than 100,000 events).
. "$CFUNC_ROOT/tests/lib.sh"
. "$CFUNC_ROOT/tests/lib_workers.sh"

workers_root 1 - "$ABI/chain_app.so" "$ABI/scale_app.so"
# The worker drops a history idle for 400 ms (default 10 s), so a timer of
# 1.2 s between two steps makes the host's record stale.
CFUNC_WORKER_HISTORY_IDLE_MS=400
export CFUNC_WORKER_HISTORY_IDLE_MS
start_workers_host

ORCH="$BASE/runtime/webhooks/durabletask/orchestrators"
counter() { curl -s --max-time 10 "$BASE/admin/host/status" | jq ".workers.$1"; }
# expect <count> <v> <gens>: the chain's output, computed here.
expect() {
	awk -v n="$1" -v v="$2" -v g="$3" 'BEGIN {
		for (i = 0; i < n * g; i++) v = (v * 31 + 7) % 1000003
		printf "{\"v\":%d,\"gen\":%d}\n", v, g }'
}
start() { http -X POST -H 'Content-Type: application/json' -d "$2" "$ORCH/chain/$1"; }
# done_as <id> <expected output>: Completed with that output (15 s bound).
done_as() {
	wait_for "$1" '.runtimeStatus == "Completed"' &&
		[ "$(printf '%s' "$ST" | jq -c .output)" = "$2" ]
}
# The app's first episode worker: the engine's batches go to the first idle
# one (the second takes the replay thread's long replays), so the chains
# run and are cached there.
episode_pid() {
	curl -s --max-time 10 "$BASE/admin/host/functions" |
		jq '[.workers.apps[] | select(.app == "chain_app") | .workers[] | select(.episodes)][0].pid'
}
# wait_counter <name> <at least>: polls (20 s at most).
wait_counter() {
	_wc_i=0
	while [ "$(counter "$1")" -lt "$2" ] && [ $_wc_i -lt 400 ]; do sleep 0.05; _wc_i=$((_wc_i + 1)); done
	[ "$(counter "$1")" -ge "$2" ]
}

# 1. A chain of 300: 301 episodes, all but the first two as deltas.
is "$(start long '{"count":300}')" 202 "a chain of 300 starts"
done_as long "$(expect 300 1 1)"
ok $? "it completes with the output every step contributed to"
delta=$(counter episodesDelta)
full=$(counter episodesFull)
ok "$([ "$delta" -ge 290 ] && [ "$full" -le 5 ]; echo $?)" \
	"its episodes went as deltas: $delta with only the new events, $full whole"
is "$(counter episodesResent)" 0 "none had to be sent again"

# 2. kill -9 of the episode worker mid-chain: the replacement is sent whole
# histories and the chain ends right.
is "$(start killed '{"count":3000}')" 202 "a chain of 3000 starts"
wait_counter episodesDelta $((delta + 100))
ok $? "100 of its episodes went as deltas"
victim=$(episode_pid)
kill -9 "$victim"
wait_gone "$victim"
ok $? "the episode worker ($victim) is killed from outside"
done_as killed "$(expect 3000 1 1)"
ok $? "the chain still completes with the right output"
ok "$([ "$(episode_pid)" != "$victim" ]; echo $?)" "on a new episode worker"
ok "$([ "$(counter episodesFull)" -gt "$full" ]; echo $?)" \
	"which was sent the whole history ($(counter episodesFull) whole episodes, $full before)"
is "$(counter deaths)" 1 "one worker death counted"

# 3. Evicted in the worker while the host thinks it is held: the worker
# answers "resend" and the host resends in full at once.
is "$(start paused '{"count":20,"pauseAt":10,"pauseMs":1200}')" 202 \
	"a chain of 20 with a 1.2 s timer after step 10 starts"
done_as paused "$(expect 20 1 1)"
ok $? "it completes with the right output"
ok "$([ "$(counter episodesResent)" -ge 1 ]; echo $?)" \
	"the episode after the timer was sent again in full ($(counter episodesResent))"

# 4. Continue-as-new: each execution starts a new history.
is "$(start gens '{"count":50,"gens":3}')" 202 "a chain of 3 x 50, continued as new twice, starts"
done_as gens "$(expect 50 1 3)"
ok $? "it completes with the right output after 3 executions"

# 5. The same instance id run again: a new execution, a new history.
is "$(start long '{"count":40,"v":5}')" 202 "the id of the first chain starts again, 40 steps from 5"
done_as long "$(expect 40 5 1)"
ok $? "it completes with the output of the new run"

# 6. The app deployed again mid-chain: the new build's episode worker
# holds nothing and gets whole histories.
reloads=$(counter reloads)
delta=$(counter episodesDelta)
is "$(start redeploy '{"count":3000}')" 202 "a chain of 3000 starts"
wait_counter episodesDelta $((delta + 100))
deploy "$ABI/chain_app.so" chain_app
wait_counter reloads $((reloads + 1))
ok $? "the app is deployed again mid-chain"
done_as redeploy "$(expect 3000 1 1)"
ok $? "the chain completes with the right output"

# 7. A fan-out of 100,000: one episode appends 100,000 scheduled events.
is "$(http -X POST -H 'Content-Type: application/json' -d '{"count":100000}' \
	"$ORCH/scale_fan_out/fan")" 202 "a fan-out of 100,000 activities starts"
i=0
until wait_for fan '.runtimeStatus != "Running" and .runtimeStatus != "Pending"' || [ $i -ge 3 ]; do
	i=$((i + 1))
done
is "$(printf '%s' "$ST" | jq -c '[.runtimeStatus, .output]')" '["Completed",100000]' \
	"it completes with all 100,000 results"
is "$(counter deaths)" 1 "no worker was killed for it"
stop_host TERM
is "$HOST_RC" 0 "the host stops cleanly"
done_testing
