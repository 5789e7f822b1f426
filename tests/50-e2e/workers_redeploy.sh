#!/bin/sh
# workers_redeploy.sh - with --worker-processes, a new build that adds,
# removes or re-routes HTTP functions (or changes their methods) is
# deployed without a restart: the new route answers, the removed one
# 404s, the console lists the changes, /admin/host/functions follows;
# a build whose route or function name another app already has is refused
# with the reason while the old build keeps serving; a control client's
# requests keep succeeding throughout, and the host still maps no app.
# With keys on, an auth level a deploy changed is enforced at once.
. "$CFUNC_ROOT/tests/lib.sh"
. "$CFUNC_ROOT/tests/lib_workers.sh"

workers_root 2 - "$ABI/crashy.so" "$ABI/testapp.so"
start_workers_host

outcomes() { grep -c "Deployed app 'crashy' again\|Deploying app 'crashy' again failed" "$HOST_LOG"; }
# wait_outcome <n>: until n deploys of crashy succeeded or failed (10 s).
wait_outcome() {
	_i=0
	while [ "$(outcomes)" -lt "$1" ] && [ $_i -lt 200 ]; do sleep 0.05; _i=$((_i + 1)); done
	[ "$(outcomes)" -ge "$1" ]
}
names() { curl -s --max-time 10 "$BASE/admin/host/functions" | jq -r '[.functions[] | select(.app == "crashy") | .name] | join(",")'; }
auth() { curl -s --max-time 10 "$BASE/admin/host/functions" | jq -r ".functions[] | select(.name == \"$1\") | .authLevel"; }
methods() { curl -s --max-time 10 "$BASE/admin/host/functions" | jq -r ".functions[] | select(.name == \"$1\") | .methods | join(\",\")"; }

is "$(http "$BASE/api/v3/added")" 404 "before: the route of v3 is not served"
is "$(http -X POST "$BASE/api/pid")" 404 "before: pid takes GET only"
is "$(http "$BASE/api/cwd")" 200 "before: cwd answers"
is "$(auth crash)" anonymous "before: crash is anonymous"

# The control client: sequential requests during every deploy below.
control_start

# A call under way on the old build when the routes change finishes there.
http "$BASE/api/sleep?ms=1500" >"$T_DIR/slow.code" &
slow=$!
sleeper_pid >/dev/null
n=0
deploy "$ABI/crashy_v3.so"
n=$((n + 1))
wait_outcome $n
line=$(grep "Deployed app 'crashy' again" "$HOST_LOG" | tail -1)
like "$line" "ready in [0-9.]+ ms" "a build with other functions is deployed without a restart"
like "$line" "functions added: added; removed: cwd, crashy_replay; changed: pid, crash$" \
	"the console lists what was added, removed and changed"
is "$(http "$BASE/api/version"; echo " $(body)")" "200 3" "the new build serves"
wait "$slow"
is "$(cat "$T_DIR/slow.code")" 200 "a call routed before the change finished on the old build"
is "$(http "$BASE/api/v3/added"; echo " $(body)")" "200 added in v3" "the added route answers"
is "$(http "$BASE/api/cwd")" 404 "the removed one is 404"
is "$(http -X POST "$BASE/api/pid")" 200 "the changed methods apply (POST is routed now)"
is "$(methods pid)" "GET,POST" "/admin/host/functions shows the new methods"
is "$(auth crash)" function "and the new auth level"
is "$(names)" "added,crash,crashy_activity,crashy_fan,crashy_orch,ok,pid,sleep,spin,version" \
	"/admin/host/functions lists the new build's functions"
is "$(http "$BASE/admin/functions/cwd")" 404 "GET /admin/functions/<removed> is 404"
is "$(http -X POST -d '{"input":"\"x\""}' "$BASE/admin/functions/crashy_replay")" 404 \
	"a removed orchestrator cannot be started"
code=$(http -X POST -d '"fine"' "$BASE/api/test/start/crashy_replay")
ok "$([ "$code" != 202 ]; echo $?)" "nor through the durable client (answered $code): it is an unknown function"
code=$(http -X POST -d '"ok"' "$BASE/api/test/start/crashy_orch")
id=$(body)
is "$code" 202 "an orchestrator kept by the new build starts"
wait_for "$id" '.runtimeStatus == "Completed"'
ok $? "and completes on the new build"

# Another app's route: refused, the running build keeps serving.
deploy "$ABI/crashy_shadow.so"
n=$((n + 1))
wait_outcome $n
like "$(grep "Deploying app 'crashy' again failed" "$HOST_LOG" | tail -1)" \
	"the route 'slow' of function 'shadow' is already served by function 'slow' of app 'testapp'; the running build keeps serving" \
	"a build on another app's route is refused, naming both"
is "$(http "$BASE/api/version"; echo " $(body)")" "200 3" "the running build keeps serving"
is "$(http "$BASE/api/slow?ms=1"; echo " $(body)")" "200 slept" "the other app keeps its route"
is "$(http "$BASE/api/v3/added")" 200 "and the routes of the running build stay"

# Another app's function name: refused too.
deploy "$ABI/testapp.so"
n=$((n + 1))
wait_outcome $n
like "$(grep "Deploying app 'crashy' again failed" "$HOST_LOG" | tail -1)" \
	"function '[a-z_]+' is defined by both app 'testapp' and app 'crashy'" \
	"a build with another app's function name is refused, naming both"
is "$(http "$BASE/api/version"; echo " $(body)")" "200 3" "the running build keeps serving"

# Back to the first build: its functions come back.
deploy "$ABI/crashy.so"
n=$((n + 1))
wait_outcome $n
like "$(grep "Deployed app 'crashy' again" "$HOST_LOG" | tail -1)" \
	"functions added: cwd, crashy_replay; removed: added; changed: pid, crash$" \
	"the first build is deployed again, the console lists the changes back"
is "$(http "$BASE/api/version"; echo " $(body)")" "200 1" "version 1 serves"
is "$(http "$BASE/api/cwd")" 200 "cwd answers again"
is "$(http "$BASE/api/v3/added")" 404 "the route only v3 had is 404"
is "$(http -X POST "$BASE/api/pid")" 404 "pid takes GET only again"
is "$(auth crash)" anonymous "crash is anonymous again"

control_stop
ok $? "the control client's $CONTROL_TOTAL requests during the deploys all succeeded ($CONTROL_GOOD)"
is "$(grep -o "$R/apps/[^ ]*\.so" "/proc/$HOST_PID/maps" | sort -u)" "" \
	"after the deploys the host still maps no app"
stop_host TERM
is "$HOST_RC" 0 "the host stops cleanly"

# With keys checked, a new auth level is enforced from the deploy on.
start_host "$R" --worker-processes --enableAuth
is "$(http "$BASE/api/crash/none")" 400 "keys on: the anonymous crash answers without a key"
n=$(outcomes)
deploy "$ABI/crashy_v3.so"
wait_outcome $((n + 1))
is "$(http "$BASE/api/crash/none")" 401 "after the deploy it needs a function key (401)"
is "$(http "$BASE/api/ok")" 200 "an anonymous function still needs none"
n=$(outcomes)
deploy "$ABI/crashy.so"
wait_outcome $((n + 1))
is "$(http "$BASE/api/crash/none")" 400 "deployed back, it is anonymous again"
stop_host TERM
done_testing
