#!/bin/sh
# A full disk neither spins nor floods (issue 10, item 6): with the task hub
# on a small tmpfs that fills up while activity results are pending, the
# engine backs off (little CPU), logs the first failure and then at most a
# summary every few seconds, reports the task hub as Degraded in
# /admin/host/status and /runtime/health/ready (503), answers 5xx for what
# it cannot commit, recovers by itself when space comes back, stops within
# the bound while full, and loses nothing it acknowledged.
# Mounting a tmpfs needs root: as root directly, else through `sudo -n`.
. "$CFUNC_ROOT/tests/lib.sh"

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif sudo -n true 2>/dev/null; then
	SUDO="sudo -n"
else
	echo "# skipped: mounting a tmpfs needs root or passwordless sudo"
	echo "1..0"
	exit 0
fi

ABI="$CFUNC_BUILD/tests/20-abi"
W_PATH=runtime/webhooks/durabletask
BOUND_S=3
disk="$T_DIR/disk"
mkdir -p "$disk"
$SUDO mount -t tmpfs -o size=6m,mode=0777 cfunc-test-full "$disk" || {
	ok 1 "mount a tmpfs for the task hub"
	done_testing
	exit
}
trap '[ -n "$HOST_PID" ] && kill -9 "$HOST_PID" 2>/dev/null; $SUDO umount "$disk"; t_cleanup' EXIT

root="$T_DIR/app"
make_root "$root" "[\"$ABI/engine_app.so\"]" \
	"\"extensions\": { \"durableTask\": { \"maxConcurrentActivityFunctions\": 4, \"storageProvider\": { \"path\": \"$disk/hub.db\" } } }"
sed -i "s|\"cfunc\": {|\"cfunc\": { \"stopTimeoutSeconds\": $BOUND_S,|" "$root/host.json"

hub_status() { curl -s --max-time 5 "$BASE/admin/host/status" | jq -r .taskHub.status; }
# poll_until <tries of 0.1 s> <command...>: true once the command succeeds
poll_until() {
	_n=$1
	shift
	while [ "$_n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	return 1
}
degraded() { [ "$(hub_status)" = Degraded ]; }
# The refused start fails one batch; the pending results fail batch after
# batch until there is space: three in a row means they are the ones failing.
failing_on() { [ "$(curl -s --max-time 5 "$BASE/admin/host/status" | jq -r '.taskHub.failedBatches // 0')" -ge 3 ]; }
healthy() { [ "$(hub_status)" = Healthy ]; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$HOST_PID/stat"; }
fill() { dd if=/dev/zero of="$disk/fill" bs=64k 2>/dev/null; sync; }
start() { # start <id> <input>: prints the status code
	http -X POST -H 'Content-Type: application/json' -d "$2" "$BASE/$W_PATH/orchestrators/fan_out/$1"
}

start_host "$root" || { ok 1 "host starts with the hub on the tmpfs"; done_testing; exit; }
is "$(hub_status)" "Healthy" "status: the task hub is Healthy"
is "$(http "$BASE/runtime/health/ready")" "200" "ready"
is "$(start before '{"count":5}')" "202" "a start before the disk fills"
wait_for before '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -r .runtimeStatus)" "Completed" "and it completes"

# --- phase 1: full while results are pending, then space comes back
is "$(start pending '{"count":8,"ms":1500}')" "202" "a fan-out whose results come after the disk is full"
fill
{ printf '{"count":1,"pad":"'; head -c 300000 /dev/zero | tr '\0' 'x'; printf '"}'; } >"$T_DIR/big.json"
code=$(start refused "@$T_DIR/big.json")
like "$code" "^5[0-9][0-9]$" "a start that cannot be committed gets a 5xx ($code)"
poll_until 150 failing_on
ok $? "status: the task hub turns Degraded when commits keep failing"
s=$(curl -s "$BASE/admin/host/status")
like "$(printf '%s' "$s" | jq -r .taskHub.lastError)" "full|disk|space" "status names the last error"
ok "$([ "$(printf '%s' "$s" | jq -r .taskHub.failedBatches)" -ge 1 ]; echo $?)" "status counts the failed batches"
is "$(http "$BASE/runtime/health/ready")" "503" "not ready while commits fail"
like "$(body)" '"Degraded"' "readiness says Degraded"
is "$(http "$BASE/runtime/health/live")" "200" "still live"

# No spinning: over 6 s of failing, the host uses a small share of a core;
# no flood: one line for the first failure, then a summary every 5 s at most.
t0=$(cpu_ticks)
l0=$(wc -l <"$HOST_LOG")
sleep 6
used=$(( $(cpu_ticks) - t0 ))
ok "$([ "$used" -lt 120 ]; echo $?)" "backing off: $used CPU ticks of 600 in 6 s (a spin takes ~600)"
ok "$([ "$(grep -c "could not be committed" "$HOST_LOG")" -ge 1 ]; echo $?)" "the first failure is logged"
window=$(tail -n +$((l0 + 1)) "$HOST_LOG")
is "$(printf '%s\n' "$window" | grep -c "could not be committed")" "0" "no line per failed batch while it keeps failing"
summ=$(printf '%s\n' "$window" | grep -c "still failing: ")
ok "$([ "$summ" -ge 1 ] && [ "$summ" -le 2 ]; echo $?)" "a summary every few seconds instead ($summ in 6 s)"
like "$(grep "still failing: " "$HOST_LOG" | head -1)" "still failing: [0-9]+ batches in the last [0-9]+ s, last error: " "the summary's shape"

rm -f "$disk/fill"
poll_until 100 healthy
ok $? "the task hub is Healthy again once there is space"
like "$(grep "commits succeed again" "$HOST_LOG")" "after [0-9]+ failed batches" "recovery is logged"
wait_for pending '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -c .output)" '{"done":8}' "the pending results were committed"
is "$(http "$BASE/$W_PATH/instances/refused")" "404" "the refused start left nothing behind"

# --- phase 2: a stop while the disk is full and results are pending. A
# fresh hub, so its WAL has no room left over from phase 1 to commit into.
stop_host
is "$HOST_RC" "0" "clean shutdown between the phases"
rm -f "$disk"/hub.db*
start_host "$root" || { ok 1 "host starts on a fresh hub"; done_testing; exit; }
is "$(start pending2 '{"count":4,"ms":800}')" "202" "another fan-out before the disk fills"
fill
poll_until 150 failing_on
ok $? "Degraded again"
t0=$(date +%s%N)
kill -TERM "$HOST_PID"
i=0
while kill -0 "$HOST_PID" 2>/dev/null && [ $i -lt $((BOUND_S * 50 + 200)) ]; do
	sleep 0.02
	i=$((i + 1))
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
kill -0 "$HOST_PID" 2>/dev/null && kill -9 "$HOST_PID"
ok "$([ $ms -le $((BOUND_S * 1000 + 600)) ]; echo $?)" "SIGTERM with the disk full ends the host within the bound ($ms ms)"
stop_host
is "$HOST_RC" "0" "with exit status 0"

rm -f "$disk/fill"
start_host "$root"
wait_for pending2 '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -c .output)" '{"done":4}' "after a restart with space, nothing acknowledged was lost"
is "$(hub_status)" "Healthy" "and the task hub is Healthy"
stop_host
is "$HOST_RC" "0" "clean shutdown"
done_testing
