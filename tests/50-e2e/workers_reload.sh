#!/bin/sh
# workers_reload.sh - deploy without restart (--worker-processes): a .so
# replaced the way make does it (written to a new file, renamed) is noticed
# and served by new workers while the old ones finish what they started;
# SIGHUP and POST /admin/host/reload do the same; a build that does not load
# leaves the old one serving and says why. Under a steady load of HTTP
# requests and durable starts, no request and no orchestration fails.
. "$CFUNC_ROOT/tests/lib.sh"
. "$CFUNC_ROOT/tests/lib_workers.sh"

workers_root 2 - "$ABI/crashy.so" "$ABI/testapp.so"
start_workers_host
is "$(http "$BASE/api/version"; echo " $(body)")" "200 1" "version 1 serves"

# wait_version <v>: polls /api/version (bounded, 10 s).
wait_version() {
	_i=0
	while [ "$(curl -s --max-time 5 "$BASE/api/version")" != "$1" ] && [ $_i -lt 200 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	[ "$(curl -s --max-time 5 "$BASE/api/version")" = "$1" ]
}
reloads() { curl -s "$BASE/admin/host/status" | jq '.workers.reloads + .workers.reloadFailures'; }
# wait_reloads <n>: until reloads + failures reach n (bounded, 10 s).
wait_reloads() {
	_i=0
	while [ "$(reloads)" -lt "$1" ] && [ $_i -lt 200 ]; do sleep 0.05; _i=$((_i + 1)); done
	[ "$(reloads)" -ge "$1" ]
}

# The load: two HTTP clients and one client starting orchestrations.
control_start 2
IDS="$T_DIR/ids"
: >"$IDS"
(
	n=0
	while [ ! -f "$CONTROL_STOP" ] && [ -d "$T_DIR" ]; do
		n=$((n + 1))
		out=$(curl -s --max-time 10 -w ' %{http_code}' -X POST -d "{\"n\":$n}" "$BASE/api/test/start/test_orchestrator")
		echo "$out" >>"$IDS"
	done
) &
starter=$!

# A call under way on the old build finishes there.
http "$BASE/api/sleep?ms=1500" >"$T_DIR/slow.code" &
slow=$!
old_worker=$(sleeper_pid)

deploy "$ABI/crashy_v2.so"
wait_version 2
ok $? "a .so renamed over the old one is deployed: version 2 serves"
# The line follows the switch (new calls already go to the new build), so
# it is waited for, bounded.
like "$(wait_log "Deployed app 'crashy' again")" "worker\(s\) of the new build ready in [0-9.]+ ms" \
	"the console says the app was deployed again"
wait "$slow"
is "$(cat "$T_DIR/slow.code")" 200 "a call that started on the old build finished there"
wait_gone "$old_worker"
ok $? "then the old worker left"

before=$(reloads)
kill -HUP "$HOST_PID"
wait_reloads $((before + 2))
ok $? "SIGHUP deploys every app again"
like "$(grep 'SIGHUP' "$HOST_LOG")" "SIGHUP: deploying the apps again" "and says so"

before=$(reloads)
is "$(http -X POST "$BASE/admin/host/reload")" 202 "POST /admin/host/reload is accepted"
wait_reloads $((before + 2))
ok $? "and deploys every app again"

before=$(reloads)
printf 'not an ELF file\n' >"$T_DIR/not_elf.so"
deploy "$T_DIR/not_elf.so"
wait_reloads $((before + 1))
like "$(grep "Deploying app 'crashy' again failed" "$HOST_LOG")" "the running build keeps serving" \
	"a build that does not load is refused, with the reason"
is "$(http "$BASE/api/version"; echo " $(body)")" "200 2" "and version 2 keeps serving"

before=$(reloads)
deploy "$ABI/testapp.so"
wait_reloads $((before + 1))
like "$(grep "Deploying app 'crashy' again failed" "$HOST_LOG" | tail -1)" \
	"function '[a-z_]+' is defined by both app 'testapp' and app 'crashy'" \
	"a build whose function names another app has is refused, naming both"
deploy "$ABI/crashy.so"
wait_version 1
ok $? "deploying version 1 again works after the refusals"

control_stop
ok $? "all $CONTROL_TOTAL HTTP requests during the deploys succeeded ($CONTROL_GOOD)"
wait "$starter"
starts=$(wc -l <"$IDS" | tr -d ' ')
acked=$(grep -c ' 202$' "$IDS")
ok "$([ "$starts" -gt 0 ] && [ "$acked" = "$starts" ]; echo $?)" "all $starts durable starts were accepted ($acked)"
failed=0
awk '$2 == 202 { print $1 }' "$IDS" >"$T_DIR/acked"
while read -r id; do
	wait_for "$id" '.runtimeStatus == "Completed"' || failed=$((failed + 1))
done <"$T_DIR/acked"
is "$failed" 0 "every orchestration started during the deploys completed"
stop_host TERM
is "$HOST_RC" 0 "the host stops cleanly"
done_testing
