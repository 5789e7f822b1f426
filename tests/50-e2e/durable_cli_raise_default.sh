#!/bin/sh
# durable_cli_raise_default.sh - `cfunc durable raise-event` without
# --event-name names the event as func does, Event_<guid> (a new GUID in
# its 32-hex-digit form each time), says which name it used, and an
# orchestration that waits for that name receives the event: offline
# (queued in the hub file, delivered when the host starts) and online.
. "$CFUNC_ROOT/tests/lib.sh"

R="$T_DIR/app"
mkdir -p "$R/apps"
cp "$CFUNC_BUILD/tests/20-abi/named_event_app.so" "$R/apps/"
make_root "$R" '["apps"]'
d() { (cd "$R" && "$CFUNC" durable "$@"); }
# name_of <output>: the event name in "Raised event '<name>' to ...".
name_of() { printf '%s\n' "$1" | sed -n "s/^Raised event '\([^']*\)' to instance .*/\1/p"; }

# --- offline ------------------------------------------------------------------
d start-new --function-name ne_wait --id off >/dev/null
ok $? "start-new offline"
out=$(d raise-event --id off --event-data '"offline data"'); rc=$?
is "$rc" 0 "raise-event without --event-name succeeds offline"
like "$(printf '%s\n' "$out" | head -1)" "^Raised event 'Event_[0-9a-f]{32}' to instance 'off'\.$" \
	"it names the event Event_<32 hex digits> (func's Event_<Guid:N>) and says so"
off_name=$(name_of "$out")
out2=$(d raise-event --id other-never-started 2>&1); rc=$?
ok "$([ $rc -ne 0 ]; echo $?)" "without a name, an unknown instance is still refused"
like "$out2" "Could not find an orchestration instance with id 'other-never-started'" "with func's message"
d raise-event --id off --event-name name --event-data "\"$off_name\"" >/dev/null
ok $? "tell the orchestration the generated name"

start_host "$R"
ok $? "the host starts"
wait_for off '.runtimeStatus == "Completed"'
ok $? "the orchestration waiting for the generated name completes"
is "$(printf '%s' "$ST" | jq -c .output)" "{\"name\":\"$off_name\",\"data\":\"offline data\"}" \
	"it received the event under that name, with its data"

# --- online -------------------------------------------------------------------
d start-new --function-name ne_wait --id on >/dev/null
ok $? "start-new through the host"
wait_for on '.runtimeStatus == "Running"'
out=$(d raise-event --id on --event-data '{"v":2}'); rc=$?
is "$rc" 0 "raise-event without --event-name succeeds through the host"
like "$out" "^Raised event 'Event_[0-9a-f]{32}' to instance 'on'\.$" "with the same kind of name"
on_name=$(name_of "$out")
ok "$([ "$on_name" != "$off_name" ]; echo $?)" "a new name each time"
out=$(d raise-event --id on --event-data '{"v":3}')
ok "$([ "$(name_of "$out")" != "$on_name" ]; echo $?)" "… also for the next raise to the same instance"
d raise-event --id on --event-name name --event-data "\"$on_name\"" >/dev/null
wait_for on '.runtimeStatus == "Completed"'
ok $? "the orchestration waiting for the first generated name completes"
is "$(printf '%s' "$ST" | jq -c .output)" "{\"name\":\"$on_name\",\"data\":{\"v\":2}}" \
	"with the data raised under that name (not the other one's)"
stop_host

done_testing
