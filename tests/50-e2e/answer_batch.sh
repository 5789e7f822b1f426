#!/bin/sh
# answer_batch.sh - a fast call's answer never waits for a slow call sent
# with it. With worker processes, HTTP calls queued behind one another go
# to a worker in one write (host/http/worker_batch.c) and the worker
# answers them in order; each answer goes out as its reply comes in, not
# when the whole batch is done. No timing: the calls of hold_app run until
# this test lets them go (release-N), so the order is forced:
#   - one HTTP thread (cfunc.workers 1) is held by call `a`;
#   - maxOutstandingRequests 3 lets exactly two more calls in: of six sent,
#     four get 429 at once, and the two others wait in the queue;
#   - when `a` is let go, the thread takes both queued calls in one batch
#     (its share of the queue: queued / threads = 1). The one the worker
#     runs first (it writes started-N) is let go at once; its client must
#     get the answer while the other still runs, held.
# A host endpoint (/admin/host/status) taken from the queue along with an
# app call answers before that call is sent to the worker, not after it is
# done (its order in the queue forced as described there).
# Then, in process: POST /admin/functions/<activity> answers 202 while the
# activity it fired still runs on the same thread (its answer used to wait
# for the activity to end).
# shellcheck disable=SC2016 # poll's conditions are quoted to be evaluated on each try
. "$CFUNC_ROOT/tests/lib.sh"

R="$T_DIR/app"
mkdir -p "$R/apps"
cp "$CFUNC_BUILD/tests/20-abi/hold_app.so" "$R/apps/"
cat >"$R/host.json" <<'JSON'
{ "version": "2.0", "functionTimeout": "00:01:00",
  "extensions": { "http": { "maxOutstandingRequests": 3 } },
  "cfunc": { "apps": ["apps"], "workers": 1 } }
JSON

# hold <name>: GET /api/hold?name=<name> in the background, "<code> <body>"
# into $T_DIR/out-<name> when it answers.
hold() {
	curl -s -o "$T_DIR/body-$1" -w '%{http_code}\n' --max-time 60 "$BASE/api/hold?name=$1" \
		>"$T_DIR/code-$1.tmp" && mv "$T_DIR/code-$1.tmp" "$T_DIR/code-$1" &
}
code() { cat "$T_DIR/code-$1" 2>/dev/null; }
# How many of q1..q6 answered 429 (their code files, not the .tmp ones).
n429() {
	for _q in q1 q2 q3 q4 q5 q6; do cat "$T_DIR/code-$_q" 2>/dev/null; done | grep -c '^429$'
}

start_host "$R"
ok $? "worker processes: the host starts with one HTTP thread"
hold a
poll 1000 '[ -f "$R/started-a" ]'
ok $? "call a runs and holds the only HTTP thread"
for q in q1 q2 q3 q4 q5 q6; do hold "$q"; done
poll 1000 '[ "$(n429)" -ge 4 ]'
ok $? "of six more calls, four are refused (429) at once"
left=""
for q in q1 q2 q3 q4 q5 q6; do [ -f "$T_DIR/code-$q" ] || left="$left $q"; done
# shellcheck disable=SC2086 # two words
set -- $left
is "$#" 2 "… and two wait in the queue behind a"
queued1=$1 queued2=$2
: >"$R/release-a"
poll 1000 '[ -f "$T_DIR/code-a" ]'
is "$(code a)" 200 "a answers when let go"
poll 1000 '[ -f "$R/started-$queued1" ] || [ -f "$R/started-$queued2" ]'
ok $? "the two queued calls go to a worker: one of them runs"
if [ -f "$R/started-$queued1" ]; then first=$queued1 second=$queued2; else first=$queued2 second=$queued1; fi
ok "$([ ! -f "$R/started-$second" ]; echo $?)" "… and the other waits behind it in the same worker"
: >"$R/release-$first"
poll 1000 '[ -f "$T_DIR/code-$first" ]'
ok $? "the first call's answer arrives while the second still runs"
is "$(code "$first")" 200 "… 200"
is "$(cat "$T_DIR/body-$first")" "$first" "… with its own body"
poll 1000 '[ -f "$R/started-$second" ]'
ok $? "the second call runs in the meantime"
ok "$([ ! -f "$T_DIR/code-$second" ]; echo $?)" "… and has not answered: it is held"
: >"$R/release-$second"
poll 1000 '[ -f "$T_DIR/code-$second" ]'
is "$(code "$second")" 200 "the second call answers when let go"
is "$(cat "$T_DIR/body-$second")" "$second" "… with its own body"

# A host endpoint taken along with an app call answers before the call goes
# to the worker, not when the call is done. The order is forced: with `b`
# holding the only thread, call `c` is sent and read in by the host (its
# request sent, nothing left unread on the host's sockets: the loop thread
# queued it when it read it), then GET /admin/host/status (the same), and
# a refused probe (429) shows both are queued. When `b` is let go, the
# thread takes `c` and, along with it, the status request.
hold b
poll 1000 '[ -f "$R/started-b" ]'
ok $? "call b runs and holds the only HTTP thread"
curl -sv -o "$T_DIR/body-c" -w '%{http_code}\n' --max-time 60 "$BASE/api/hold?name=c" \
	2>"$T_DIR/trace-c" >"$T_DIR/code-c.tmp" && mv "$T_DIR/code-c.tmp" "$T_DIR/code-c" &
# unread: how many of the host's connections have bytes it has not read
# yet: the established sockets on its port in /proc/net/tcp{,6} (local
# address field 2, state field 4 = 01, queues field 5 as tx:rx in hex)
# whose receive queue is not empty.
unread() {
	cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v port="$(printf '%04X' "$PORT")" '
		$4 == "01" && substr($2, length($2) - 3) == port {
			split($5, q, ":"); if (q[2] !~ /^0+$/) n++ }
		END { print n + 0 }'
}
poll 1000 'grep -q "^> GET /api/hold?name=c" "$T_DIR/trace-c" && grep -q "^> *.\{0,1\}$" "$T_DIR/trace-c"'
ok $? "call c's request is sent"
poll 1000 '[ "$(unread)" = 0 ]'
ok $? "… and read in by the host"
curl -sv -o "$T_DIR/body-status" -w '%{http_code}\n' --max-time 60 "$BASE/admin/host/status" \
	2>"$T_DIR/trace-status" >"$T_DIR/code-status.tmp" &&
	mv "$T_DIR/code-status.tmp" "$T_DIR/code-status" &
# The same for it, before the probe (which would otherwise take its place).
poll 1000 'grep -q "^> GET /admin/host/status" "$T_DIR/trace-status" && grep -q "^> *.\{0,1\}$" "$T_DIR/trace-status"'
poll 1000 '[ "$(unread)" = 0 ]'
poll 1000 '[ "$(curl -s -o /dev/null -w "%{http_code}" --max-time 10 "$BASE/admin/host/ping")" = 429 ]'
ok $? "call c and then the status request wait in the queue behind b (a third is refused)"
: >"$R/release-b"
poll 1000 '[ -f "$T_DIR/code-b" ]'
is "$(code b)" 200 "b answers when let go"
poll 1000 '[ -f "$T_DIR/code-status" ]'
ok $? "the status request taken along with c answers before c is done"
is "$(code status) $(jq -r .state "$T_DIR/body-status" 2>/dev/null)" "200 Running" "… 200, the host's status"
poll 1000 '[ -f "$R/started-c" ]'
ok $? "call c goes to a worker and runs"
ok "$([ ! -f "$T_DIR/code-c" ]; echo $?)" "… held: it has not answered"
: >"$R/release-c"
poll 1000 '[ -f "$T_DIR/code-c" ]'
is "$(code c)" 200 "c answers when let go"
stop_host
is "$HOST_RC" 0 "the host stops cleanly"

# In process: the admin invoke's 202 goes out before the activity it fired
# runs on the only HTTP thread.
start_host "$R" --in-process
ok $? "in process: the host starts with one HTTP thread"
curl -s -o /dev/null -w '%{http_code}\n' --max-time 60 -X POST -d '{"input":"adm"}' \
	"$BASE/admin/functions/hold_activity" >"$T_DIR/code-adm.tmp" &&
	mv "$T_DIR/code-adm.tmp" "$T_DIR/code-adm" &
poll 1000 '[ -f "$R/started-adm" ]'
ok $? "in process: the admin-invoked activity runs"
poll 1000 '[ -f "$T_DIR/code-adm" ]'
ok $? "in process: the admin invoke answers while the activity it fired still runs"
is "$(code adm)" 202 "… 202"
: >"$R/release-adm"
poll 1000 'grep -q "Executed .Functions.hold_activity. (Succeeded" "$HOST_LOG"'
ok $? "in process: the activity ends when let go"
stop_host
is "$HOST_RC" 0 "in process: the host stops cleanly"
done_testing
