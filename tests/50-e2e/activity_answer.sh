#!/bin/sh
# activity_answer.sh - a fast activity's result never waits for a slow one
# batched with it. With worker processes, while more attempts wait than
# there are activity threads, a thread sends several to one worker in one
# write (run_activity_batch) and the worker answers them in order; each
# result goes to the engine, and the orchestration it drives goes on, as
# its reply comes in, not when the whole batch is done. No timing: the
# attempts of hold_app run until this test lets them go (release-N):
#   - one activity thread (maxConcurrentActivityFunctions 1);
#   - hold_pair schedules hold_activity "<id>-1" and "<id>-2" at once, so
#     the thread takes both in one batch and the worker runs -1 first;
#   - -1 is let go at once; the orchestration must reach its custom status
#     "first" (its next episode committed) while -2 still runs, held.
# shellcheck disable=SC2016 # poll's conditions are quoted to be evaluated on each try
. "$CFUNC_ROOT/tests/lib.sh"

R="$T_DIR/app"
mkdir -p "$R/apps"
cp "$CFUNC_BUILD/tests/20-abi/hold_app.so" "$R/apps/"
cat >"$R/host.json" <<'JSON'
{ "version": "2.0", "functionTimeout": "00:01:00",
  "extensions": { "durableTask": { "maxConcurrentActivityFunctions": 1 } },
  "cfunc": { "apps": ["apps"], "workers": 1 } }
JSON

status() {
	curl -s --max-time 5 "$BASE/runtime/webhooks/durabletask/instances/pair1" >"$T_DIR/st"
	jq -c "$1" "$T_DIR/st" 2>/dev/null
}

start_host "$R"
ok $? "worker processes: the host starts with one activity thread"
is "$(http -X POST "$BASE/runtime/webhooks/durabletask/orchestrators/hold_pair/pair1")" 202 \
	"hold_pair starts: two attempts at once"
poll 1000 '[ -f "$R/started-pair1-1" ]'
ok $? "the worker runs the first attempt"
ok "$([ ! -f "$R/started-pair1-2" ]; echo $?)" "… and the second waits behind it"
: >"$R/release-pair1-1"
poll 1000 '[ -f "$R/started-pair1-2" ]'
ok $? "the second attempt runs once the first is let go"
poll 500 '[ "$(status .customStatus)" = "\"first\"" ]'
ok $? "the orchestration goes on with the first result while the second is held"
is "$(status .runtimeStatus)" '"Running"' "… and still waits for the second"
: >"$R/release-pair1-2"
wait_for pair1 '.runtimeStatus == "Completed"'
ok $? "it completes when the second is let go"
is "$(printf '%s' "$ST" | jq -c .output)" '["pair1-1","pair1-2"]' "… with both results"
is "$(grep -c "Executed 'Functions.hold_activity' (Succeeded" "$HOST_LOG")" 2 \
	"each attempt ran once"
stop_host
is "$HOST_RC" 0 "the host stops cleanly"
done_testing
