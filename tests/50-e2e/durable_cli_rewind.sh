#!/bin/sh
# durable_cli_rewind.sh - `cfunc durable rewind` with no host running: it
# queues the rewind in the task hub and the host, when it starts, rewinds
# the Failed instance as its own rewind command does, so it runs again and
# completes. The online rules hold offline: only a Failed instance. Through
# a running host a Failed instance is rewound and completes. Both print
# func's lines: the message, then the status before and after the rewind.
. "$CFUNC_ROOT/tests/lib.sh"

R="$T_DIR/app"
mkdir -p "$R/apps"
cp "$CFUNC_BUILD/tests/20-abi/webhook_app.so" "$R/apps/"
make_root "$R" '["apps"]'
d() { (cd "$R" && "$CFUNC" durable "$@"); }

# wh_flaky's activity fails until this file exists.
flag="$T_DIR/flag"
d start-new --function-name wh_flaky --id flaky --input "\"$flag\"" >/dev/null
ok $? "start-new flaky offline"
d start-new --function-name wh_noop --id "done" --input '"fine"' >/dev/null
ok $? "start-new done offline"
d start-new --function-name wh_wait --id waiter >/dev/null
ok $? "start-new waiter offline"

start_host "$R"
ok $? "the host starts"
wait_for flaky '.runtimeStatus == "Failed"'
ok $? "flaky fails"
wait_for "done" '.runtimeStatus == "Completed"'
ok $? "done completes"
wait_for waiter '.runtimeStatus == "Running"'
ok $? "waiter runs"
stop_host
ok "$([ ! -e "$R/.cfunc/TestHubName.db.host" ]; echo $?)" "the host stopped"

# --- refused offline as online, nothing written ---------------------------------
out=$(d rewind --id "done" 2>&1); rc=$?
ok "$([ $rc -ne 0 ]; echo $?)" "rewind of a Completed instance is refused"
like "$out" "is Completed" "and says why"
is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 1 "in one line"
out=$(d rewind --id waiter 2>&1); rc=$?
ok "$([ $rc -ne 0 ]; echo $?)" "rewind of a Running instance is refused"
like "$out" "only supported on failed orchestration instances" "and says why"
out=$(d rewind --id nosuch 2>&1); rc=$?
ok "$([ $rc -ne 0 ]; echo $?)" "rewind of an unknown id fails"
like "$out" "Could not find an orchestration instance with id 'nosuch'" "with func's message"

# --- the Failed one is queued, and applied when the host starts -------------------
: >"$flag"
out=$(d rewind --id flaky --reason "try again"); rc=$?
is "$rc" 0 "rewind of the Failed instance offline succeeds"
is "$(printf '%s\n' "$out" | head -3)" "$(printf '%s\n' "Rewind message sent to instance 'flaky'. Retrieving new status now..." \
	"Status before rewind: Failed" "Status after rewind: Failed")" \
	"it prints func's lines: offline the status stays Failed"
like "$out" "takes effect when the host starts" "and says when it applies"
out=$(d rewind --id flaky 2>&1); rc=$?
ok "$([ $rc -ne 0 ]; echo $?)" "a second rewind before the host ran is refused"
like "$out" "already has a rewind waiting" "and says why"
is "$(d get-runtime-status --id flaky --json | jq -r .runtimeStatus)" Failed \
	"offline, flaky stays Failed until the host applies the rewind"

start_host "$R"
ok $? "the host starts again"
wait_for flaky '.runtimeStatus == "Completed"'
ok $? "the rewound instance completes"
is "$(printf '%s' "$ST" | jq -c .output)" '"recovered"' "with the activity's new result"
wait_for "done" '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -c .output)" '"fine"' "the refused rewind left done as it was"
wait_for waiter '.runtimeStatus == "Running"'
ok $? "and waiter too"

# --- online: a Failed instance rewound through the running host completes -----
flag2="$T_DIR/flag2"
d start-new --function-name wh_flaky --id flaky2 --input "\"$flag2\"" >/dev/null
ok $? "start-new flaky2 through the host"
wait_for flaky2 '.runtimeStatus == "Failed"'
ok $? "flaky2 fails"
out=$(d rewind --id "done" 2>&1); rc=$?
ok "$([ $rc -ne 0 ]; echo $?)" "online, rewind of a Completed instance is refused"
like "$out" "Instance 'done' is Completed\.$" "and says why, as offline (the API's 410 has no body)"
is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 1 "in one line"
: >"$flag2"
out=$(d rewind --id flaky2 --reason "fixed"); rc=$?
is "$rc" 0 "online rewind of the Failed instance succeeds"
is "$(printf '%s\n' "$out" | head -2)" "$(printf '%s\n' "Rewind message sent to instance 'flaky2'. Retrieving new status now..." \
	"Status before rewind: Failed")" "it prints func's message and the status before"
like "$(printf '%s\n' "$out" | sed -n 3p)" "^Status after rewind: (Pending|Running|Completed)$" \
	"and the status after, once it left Failed"
is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 3 "three lines, nothing about a host start"
wait_for flaky2 '.runtimeStatus == "Completed"'
ok $? "the rewound instance completes"
is "$(printf '%s' "$ST" | jq -c .output)" '"recovered"' "with the activity's new result"
out=$(d rewind --id flaky2 --json 2>&1); rc=$?
ok "$([ $rc -ne 0 ]; echo $?)" "a second rewind, now that it is Completed, is refused"
like "$out" "Instance 'flaky2' is Completed\.$" "and says why"
stop_host
is "$(d get-history --id flaky --json | jq -r '[.[] | select(.EventType == "GenericEvent")] | length > 0')" \
	true "the history shows the rewind as the online one does (GenericEvent)"
out=$(cd "$R" && "$CFUNC" replay --id flaky 2>&1)
is "$?" 0 "cfunc replay: the rewound history replays on the same build"
like "$out" "ends Completed, as recorded\.$" "its rewritten rows skipped, as the engine skips them"
out=$(cd "$R" && "$CFUNC" replay --id waiter 2>&1)
is "$?" 0 "a running instance replays too"
like "$out" "is now Running\.$" "and is still waiting"

done_testing
