#!/bin/sh
# The test mode of `cfunc start`: --ephemeral (a task hub that is gone after
# the host stops, and the test clock), --clean (an existing hub emptied
# before start, refused while a host has it open), and the clock endpoint
# refused (404) without test mode.
. "$(dirname "$0")/../lib.sh"

root=$T_DIR/app
make_root "$root" "[\"$CFUNC_BUILD/tests/20-abi/test_clock_app.so\"]"
hub=$root/.cfunc/TestHubName.db
tmp=$T_DIR/tmp
mkdir -p "$tmp"
export TMPDIR="$tmp"

# ---- without test mode: the clock cannot be moved ----------------------------
start_host "$root"
orch_start wait_an_hour ''
is "$CODE" "202" "a one-hour timer orchestration starts"
kept=$ID
is "$(http -X POST -d '{"advanceSeconds":3600}' "$BASE/admin/test/clock")" "404" \
	"POST /admin/test/clock is 404 without --ephemeral"
ok "$([ -f "$hub" ]; echo $?)" "the normal hub is a file under .cfunc/"
# --clean is refused while this host has the hub open.
err=$(cd "$root" && "$CFUNC" start --port 0 --clean 2>&1)
is "$?" "1" "--clean refuses a hub that a running host has open"
like "$err" "is open in another process.*Nothing was deleted" "and says so"
stop_host
start_host "$root"
http "$BASE/runtime/webhooks/durabletask/instances/$kept" >/dev/null
is "$(jq -r .runtimeStatus "$BODY_FILE")" "Running" "after the refused --clean the instance is still there"
stop_host

# ---- --clean: starts from an empty hub -----------------------------------------
start_host "$root" --clean
is "$(http "$BASE/runtime/webhooks/durabletask/instances/$kept")" "404" "--clean: the old instance is gone"
is "$(http "$BASE/runtime/webhooks/durabletask/instances")" "200" "--clean: the listing answers"
is "$(body)" "[]" "--clean: the hub is empty"
stop_host

# ---- --ephemeral: the hub lives in a temporary folder, removed at stop ------
before=$(stat -c %Y "$hub" 2>/dev/null)
start_host "$root" --ephemeral
ephemeral=$(sed -n 's/.*Test mode (--ephemeral): task hub \(.*\), removed at stop.*/\1/p' "$HOST_LOG" | head -1)
like "$ephemeral" "^$tmp/cfunc-hub-[A-Za-z0-9]+/TestHubName.db$" "--ephemeral: the hub is under \$TMPDIR"
ok "$([ -f "$ephemeral" ]; echo $?)" "--ephemeral: the hub file exists while the host runs"
orch_start wait_an_hour ''
id=$ID
wait_for "$id" '.runtimeStatus == "Running"'
ok $? "the instance waits on its one-hour timer"

# Bad bodies: refused, the clock is not moved.
for bad in '' '{}' '{"advanceSeconds":0}' '{"advanceSeconds":-5}' '{"advanceSeconds":"3600"}' 'nope'; do
	is "$(http -X POST -d "$bad" "$BASE/admin/test/clock")" "400" "clock: body '$bad' is refused (400)"
done
like "$(body)" "advanceSeconds" "the message names advanceSeconds"
ST=$(curl -s "$BASE/runtime/webhooks/durabletask/instances/$id")
is "$(printf '%s' "$ST" | jq -r .runtimeStatus)" "Running" "after refused requests the timer has not fired"

t0=$(date +%s%N)
is "$(http -X POST -d '{"advanceSeconds":3601}' "$BASE/admin/test/clock")" "200" "clock: advanceSeconds 3601 is accepted"
is "$(jq -r .offsetSeconds "$BODY_FILE" | cut -d. -f1)" "3601" "clock: the answer gives the offset"
# Poll for at most one second of wall-clock time.
i=0
while :; do
	st=$(curl -s --max-time 1 "$BASE/runtime/webhooks/durabletask/instances/$id" | jq -r .runtimeStatus)
	[ "$st" = Completed ] && break
	[ $(( ($(date +%s%N) - t0) / 1000000 )) -ge 1000 ] && break
	sleep 0.02
	i=$((i + 1))
done
is "$st" "Completed" "the one-hour timer fired within a second of moving the clock"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
ok "$([ "$ms" -lt 1000 ]; echo $?)" "in ${ms} ms"
stop_host
is "$HOST_RC" "0" "--ephemeral: the host stops cleanly"
ok "$([ ! -e "$ephemeral" ] && [ ! -e "$(dirname "$ephemeral")" ]; echo $?)" "--ephemeral: the hub and its folder are gone after stop"
is "$(ls -A "$tmp")" "" "--ephemeral: nothing is left in \$TMPDIR"
is "$(stat -c %Y "$hub" 2>/dev/null)" "$before" "--ephemeral: the configured hub was not touched"

done_testing
