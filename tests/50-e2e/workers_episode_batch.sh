#!/bin/sh
# workers_episode_batch.sh - the episodes of one engine batch go to the
# episode worker together; when one of them crashes the worker, the others
# of the batch still complete (those answered stand, the rest run on the
# replacement), only the culprit is blamed and retried
# (alone), it fails after 3 deaths naming the function and the signal, the
# host keeps serving, and a terminate of a culprit takes effect while it
# is being retried.
. "$CFUNC_ROOT/tests/lib.sh"
. "$CFUNC_ROOT/tests/lib_workers.sh"

# "workers": 2 -> 4 processes, so the crash-loop bound is 12 deaths; this
# test causes at most 6.
workers_root 2 - "$ABI/crashy.so"
d() { (cd "$R" && "$CFUNC" durable "$@"); }
deaths_of() { grep -c "died (SIGSEGV) while running 'crashy_replay (instance $1)'" "$HOST_LOG"; }

# Queued while no host runs, so that the first batch of the engine holds
# them all: 7 that complete and one whose every episode crashes.
queued=0
for k in 1 2 3 4 5 6 7; do
	d start-new --function-name crashy_replay --input "\"ok$k\"" --id "ok$k" >/dev/null &&
		queued=$((queued + 1))
done
d start-new --function-name crashy_replay --input '"segv"' --id culprit >/dev/null &&
	queued=$((queued + 1))
is "$queued" 8 "8 orchestrations queued before the host starts"
start_workers_host

done7=0
for k in 1 2 3 4 5 6 7; do
	wait_for "ok$k" '.runtimeStatus == "Completed"' &&
		[ "$(printf '%s' "$ST" | jq -r .output)" = "ok$k" ] && done7=$((done7 + 1))
done
is "$done7" 7 "the 7 others of the crashing batch complete, each with its own output"
wait_for culprit '.runtimeStatus == "Failed"'
like "$(printf '%s' "$ST" | jq -r .output)" "crashy_replay.*SIGSEGV.*3 times at the same point" \
	"the culprit fails after 3 crashes, naming the function and the signal"
is "$(deaths_of culprit)" 3 "the console blames the culprit for each of its 3 crashes"
is "$(grep -c "while running 'crashy_replay (instance ok" "$HOST_LOG")" 0 \
	"and never one of the others"
is "$(http "$BASE/api/ok")" 200 "the host keeps serving HTTP functions"
stop_host TERM
is "$HOST_RC" 0 "the host stops cleanly"

# A culprit whose episodes crash 300 ms in: terminated between its crashes.
for k in 1 2 3 4; do
	d start-new --function-name crashy_replay --input "\"late$k\"" --id "late$k" >/dev/null
done
d start-new --function-name crashy_replay --input '"slowsegv"' --id slow >/dev/null
start_host "$R" --worker-processes
ok $? "the host starts again with 5 more queued, one crashing 300 ms into each episode"
i=0
while [ "$(deaths_of slow)" = 0 ] && [ $i -lt 200 ]; do
	sleep 0.02
	i=$((i + 1))
done
is "$(deaths_of slow)" 1 "the slow culprit crashed its worker once"
is "$(http -X POST "$BASE/runtime/webhooks/durabletask/instances/slow/terminate?reason=enough")" 202 \
	"terminate it while it is retried: 202"
wait_for slow '.runtimeStatus != "Running" and .runtimeStatus != "Pending"'
is "$(printf '%s' "$ST" | jq -r '[.runtimeStatus, .output] | join(" ")')" "Terminated enough" \
	"it ends Terminated with the reason, not Failed"
ok "$([ "$(deaths_of slow)" -lt 3 ]; echo $?)" "before its third crash ($(deaths_of slow) so far)"
done4=0
for k in 1 2 3 4; do
	wait_for "late$k" '.runtimeStatus == "Completed"' && done4=$((done4 + 1))
done
is "$done4" 4 "the 4 others of its batch complete"
st=$(curl -s "$BASE/admin/host/status")
is "$(printf '%s' "$st" | jq -c '.workers.failedApps')" '[]' "no app is marked failed"
stop_host TERM
is "$HOST_RC" 0 "the host stops cleanly"
done_testing
