#!/bin/sh
# One host per task hub, and no host on a hub it cannot trust: a second
# `cfunc start` on the same app root exits 1 with one line naming the hub
# file and the pid holding it, while the first keeps serving; once the first
# is stopped a new one starts. A damaged hub is refused the same way (the
# other kinds of bad file are in tests/00-unit/runtime/store_check.c).
. "$(dirname "$0")/../lib.sh"
root="$T_DIR/app"
make_root "$root" "[\"$CFUNC_BUILD/samples/durable_hello.so\"]"
hub="$root/.cfunc/TestHubName.db"

# refused_start <label>: runs a host that must refuse to start; sets OUT.
refused_start() {
	OUT="$T_DIR/refused.log"
	(cd "$root" && exec timeout 30 "$CFUNC" start --port 0) >"$OUT" 2>&1
	is "$?" 1 "$1: exit code 1"
	ok "$(grep -c 'Now listening' "$OUT")" "$1: never listened"
}

start_host "$root"
ok $? "first host starts"
first=$HOST_PID
first_base=$BASE
orch_start hello_sequence '{}'
is "$CODE" 202 "first host runs an orchestration"
wait_for "$ID" '.runtimeStatus == "Completed"'
ok $? "and completes it"

refused_start "second host"
msg=$(grep -F "$hub" "$OUT")
like "$msg" "in use by process $first" "message names the hub file and pid $first"
is "$(grep -c "$hub" "$OUT")" 1 "in one line"

BASE=$first_base
orch_start hello_sequence '{}'
is "$CODE" 202 "the first host still accepts starts"
wait_for "$ID" '.runtimeStatus == "Completed"'
ok $? "and still completes them"
is "$(jq -r '.output | length' <<EOF
$ST
EOF
)" 3 "with the whole output"

stop_host
is "$HOST_RC" 0 "first host stops"
start_host "$root"
ok $? "after it stopped, a new host starts on the hub"
wait_for "$ID" '.runtimeStatus == "Completed"'
ok $? "and sees the first host's instances"

# Damaged pages in the middle of a real hub (closed cleanly: no WAL).
# Enough instances first that the middle page is surely one of a table.
i=0
while [ $i -lt 40 ]; do
	orch_start hello_sequence '{}'
	i=$((i + 1))
done
wait_for "$ID" '.runtimeStatus == "Completed"'
stop_host
page_size=$(od -An -j16 -N2 -tu1 "$hub" | awk '{ print $1 * 256 + $2 }')
pages=$(($(stat -c %s "$hub") / page_size))
ok "$([ "$pages" -ge 8 ]; echo $?)" "a hub of $pages pages of $page_size bytes"
dd if=/dev/zero of="$hub" bs="$page_size" seek=$((pages / 2)) count=1 conv=notrunc 2>/dev/null
refused_start "damaged hub"
like "$(grep -F "$hub" "$OUT")" "task hub .* is damaged" "the message names the damaged file"
is "$(grep -c "$hub" "$OUT")" 1 "in one line"

done_testing
