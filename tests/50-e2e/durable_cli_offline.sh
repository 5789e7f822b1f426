#!/bin/sh
# durable_cli_offline.sh - `cfunc durable` with no host running: commands
# work on the task-hub file, and what they record is applied when the host
# starts. The key case: an orchestrator that abort()s takes the host down;
# terminating it offline lets the restarted host stay up with it Terminated.
. "$CFUNC_ROOT/tests/lib.sh"

R="$T_DIR/app"
mkdir -p "$R/apps"
cp "$CFUNC_BUILD/tests/20-abi/crash_orch.so" "$R/apps/"
make_root "$R" '["apps"]' '"extensions": { "durableTask": { "hubName": "%MY_HUB%" } }'
cat >"$R/local.settings.json" <<'JSON'
{ "IsEncrypted": false, "Values": { "MY_HUB": "CliHub" } }
JSON
d() { (cd "$R" && "$CFUNC" durable "$@"); }

# --- errors before anything is touched ---------------------------------------
out=$(d get-runtime-status 2>&1); rc=$?
ok "$([ $rc -ne 0 ]; echo $?)" "missing --id fails"
like "$out" "--id is required" "missing --id says so"
out=$(d terminate --id x --bogus 2>&1); rc=$?
ok "$([ $rc -ne 0 ]; echo $?)" "unknown flag fails"
like "$out" "unknown option '--bogus'" "unknown flag is named"
out=$(d start-new --function-name wait_event --input '{bad' 2>&1); rc=$?
ok "$([ $rc -ne 0 ]; echo $?)" "bad JSON input fails"
like "$out" "--input is not valid JSON" "bad JSON input is explained"
out=$(d frobnicate 2>&1); rc=$?
ok "$([ $rc -ne 0 ]; echo $?)" "unknown command fails"
ok "$([ ! -e "$R/.cfunc/CliHub.db" ]; echo $?)" "failed commands created no hub file"
out=$(d get-instances --created-after yesterday 2>&1); rc=$?
like "$out" "not an ISO 8601" "a bad date is refused"
out=$(d purge-history --runtime-status running 2>&1); rc=$?
ok "$([ $rc -ne 0 ]; echo $?)" "purge of running instances is refused"
d --help | grep -q delete-task-hub; ok $? "durable --help lists the commands"
d get-instances --help | grep -q -- --continuation-token; ok $? "get-instances --help lists its flags"

# --- an empty hub reads as empty ---------------------------------------------
is "$(d get-instances)" "No instances on this page." "no hub file: no instances"

# --- start offline, the hub name from %MY_HUB% ---------------------------------
out=$(d start-new --function-name crash_loop --id boom)
like "$out" "^Started 'crash_loop' at .*Instance ID: 'boom'" "start-new offline prints func's line"
ok "$([ -f "$R/.cfunc/CliHub.db" ]; echo $?)" "the default hub is the host's (%Setting% resolved)"
echo '{"n": 7}' >"$T_DIR/in.json"
d start-new --function-name wait_event --id waiter --input "@$T_DIR/in.json" >/dev/null
is "$(d get-runtime-status --id waiter --show-input --json | jq -c .input)" '{"n":7}' "--input @file is read"
out=$(d start-new --function-name wait_event --id waiter 2>&1); rc=$?
ok "$([ $rc -ne 0 ]; echo $?)" "starting over a pending instance fails"
like "$out" "already exists" "and says why"

# A live process named in the listen file that does not answer may still
# hold the hub: the CLI refuses rather than writing under it. ($$ is this
# shell: alive; port 1 on loopback answers nothing.)
mkdir -p "$R/.cfunc"
printf '{"pid":%s,"address":"127.0.0.1","port":1,"auth":false}' "$$" >"$R/.cfunc/CliHub.db.host"
out=$(d terminate --id boom 2>&1); rc=$?
ok "$([ $rc -ne 0 ]; echo $?)" "a live but silent host in the listen file stops the CLI"
like "$out" "does not answer" "and says so"
rm -f "$R/.cfunc/CliHub.db.host"

# --- the crash: the host dies running 'boom' -----------------------------------
# In process (--in-process): with worker processes only a worker would die,
# and the hub would never be left to the offline CLI by a dead host.
start_host "$R" --in-process
_i=0
while kill -0 "$HOST_PID" 2>/dev/null && [ $_i -lt 200 ]; do sleep 0.05; _i=$((_i + 1)); done
ok "$(! kill -0 "$HOST_PID" 2>/dev/null; echo $?)" "the abort()ing orchestrator took the host down"
wait "$HOST_PID" 2>/dev/null
# A host that crashes after listening leaves its listen file: a dead pid
# must not send the CLI to the network.
printf '{"pid":%s,"address":"127.0.0.1","port":%s,"auth":false}' "$HOST_PID" "${PORT:-1}" \
	>"$R/.cfunc/CliHub.db.host"
HOST_PID=""

# Offline (the stale file's pid is dead): terminate, raise an event, suspend + resume.
out=$(d terminate --id boom --reason "crash loop"); rc=$?
is "$rc" 0 "terminate offline succeeds"
like "$out" "takes effect when the host starts" "and says when it applies"
out=$(d terminate --id boom 2>&1); rc=$?
ok "$([ $rc -ne 0 ]; echo $?)" "a second terminate is refused"
out=$(d terminate --id nosuch 2>&1); rc=$?
ok "$([ $rc -ne 0 ]; echo $?)" "terminate of an unknown id fails"
like "$out" "Could not find an orchestration instance with id 'nosuch'" "with func's message"
d suspend --id waiter >/dev/null; ok $? "suspend offline"
out=$(d suspend --id waiter 2>&1); rc=$?; ok "$([ $rc -ne 0 ]; echo $?)" "a second suspend is refused"
d resume --id waiter >/dev/null; ok $? "resume offline"
d raise-event --id waiter --event-name go --event-data '"offline"' >/dev/null; ok $? "raise-event offline"
out=$(d raise-event --id waiter --event-name go --event-data 'nope' 2>&1); rc=$?
ok "$([ $rc -ne 0 ]; echo $?)" "raise-event with bad JSON fails"
# Rewind works offline too (durable_cli_rewind.sh), with the online rules:
# boom never finished, so it is refused.
out=$(d rewind --id boom 2>&1); rc=$?; ok "$([ $rc -ne 0 ]; echo $?)" "rewind of an unfinished instance is refused"
like "$out" "only supported on failed orchestration instances" "and says why"

# --- restart: the host stays up, boom is Terminated without running -----------
start_host "$R"
ok $? "the host starts again"
wait_for boom '.runtimeStatus == "Terminated"' "?taskHub=CliHub"
is "$(printf '%s' "$ST" | jq -r .output)" "crash loop" "boom is Terminated with the reason"
wait_for waiter '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -c .output)" '"offline"' "the offline event reached the waiter"
ok "$(kill -0 "$HOST_PID"; echo $?)" "the host is still up"
stop_host
ok "$([ ! -e "$R/.cfunc/CliHub.db.host" ]; echo $?)" "a clean stop removes the listen file"

# --- offline reads, paging, purge, delete ---------------------------------------
# get-history from the file: the table and the stored events.
like "$(d get-history --id waiter)" "EventRaised +go" "get-history offline: the table, with the raised event"
is "$(d get-history --id waiter --json | jq -r '.[0].EventType, .[-1].EventType' | tr '\n' ' ')" \
	"OrchestratorStarted OrchestratorCompleted " "get-history --json offline: the stored events, first to last"
is "$(d get-history --id waiter --json | jq -r '[.[] | select(.EventType == "ExecutionCompleted")][0].Result')" \
	'"offline"' "… with the result as stored JSON text"
out=$(d get-history --id nosuch 2>&1); rc=$?
ok "$([ $rc -ne 0 ]; echo $?)" "get-history offline of an unknown id fails"
like "$out" "Could not find an orchestration instance with id 'nosuch'" "with func's message"
for i in 1 2 3 4 5; do d start-new --function-name wait_event --id "p$i" >/dev/null; done
is "$(d get-instances --json | jq length)" 7 "get-instances lists every instance (default top 10)"
ids=""
tok=""
for page in 1 2 3 4 5; do
	if [ -n "$tok" ]; then out=$(d get-instances --top 3 --continuation-token "$tok")
	else out=$(d get-instances --top 3); fi
	ids="$ids $(printf '%s\n' "$out" | awk 'NR>1 && !/^Continuation/ {print $1}' | tr '\n' ' ')"
	tok=$(printf '%s\n' "$out" | sed -n "s/^Continuation token for next set of results: '\(.*\)'$/\1/p")
	[ -n "$tok" ] || break
done
# shellcheck disable=SC2086,SC2116 # echo of the unquoted list squeezes its spaces
is "$(echo $ids)" "boom p1 p2 p3 p4 p5 waiter" "pages of 3 with the token cover all, in id order"
is "$page" 3 "three pages"
out=$(d get-instances --continuation-token garbage 2>&1); rc=$?
ok "$([ $rc -ne 0 ]; echo $?)" "a foreign continuation token is refused"
is "$(d get-instances --runtime-status 'terminated completed' --json | jq -r '.[].instanceId' | tr '\n' ' ')" \
	"boom waiter " "--runtime-status filters, any case, space-separated"
is "$(d get-instances --created-before 2000-01-01T00:00:00Z --json | jq length)" 0 "--created-before filters"
is "$(d purge-history --runtime-status completed)" "Instances deleted: 1" "purge by status"
is "$(d purge-history)" "Instances deleted: 1" "purge without filters takes finished ones only"
is "$(d get-instances --json | jq length)" 5 "pending instances are kept"
is "$(d purge-history --id p1)" "Instances deleted: 1" "purge one by id"
out=$(d get-runtime-status --id p1 2>&1); rc=$?; ok "$([ $rc -ne 0 ]; echo $?)" "a purged instance is gone"
out=$(d delete-task-hub </dev/null 2>&1); rc=$?
ok "$([ $rc -ne 0 ]; echo $?)" "delete-task-hub without --yes and no terminal refuses"
ok "$([ -f "$R/.cfunc/CliHub.db" ]; echo $?)" "and deletes nothing"
is "$(d delete-task-hub --yes)" "Task hub 'CliHub' successfully deleted." "delete-task-hub --yes"
ok "$([ ! -e "$R/.cfunc/CliHub.db" ]; echo $?)" "the hub file is gone"
is "$(d get-instances --task-hub-name OtherHub --json)" "[]" "--task-hub-name picks another hub"

done_testing
