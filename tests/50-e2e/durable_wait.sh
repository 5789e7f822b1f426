#!/bin/sh
# Waiting for an instance to finish (durable-http-api §3.4): the management
# API's timeout + pollingInterval and cf_durable_wait_or_check_status_response
# answer when the instance's terminal state commits, not at the next poll;
# parked waits (management and in-process app functions) hold no HTTP
# worker; an app function that changes its response after the wait answers
# with its own response; a timeout gives the 202
# check-status response unchanged; a client that leaves, and a stop, end
# the wait at once.
. "$(dirname "$0")/../lib.sh"
S="$CFUNC_BUILD/samples"
APPS="[\"$S/durable_hello.so\", \"$S/hello_http.so\", \"$S/async_http.so\", \"$CFUNC_BUILD/tests/20-abi/webhook_app.so\", \"$CFUNC_BUILD/tests/20-abi/wait_app.so\"]"
root="$T_DIR/app"
# Two HTTP workers: more parked waits than that must not starve the rest.
make_root "$root" "$APPS" '"cfunc": { "apps": '"$APPS"', "workers": 2 }'
start_host "$root"
ok $? "host starts with two HTTP workers"
W="$BASE/runtime/webhooks/durabletask"
Q="taskHub=TestHubName&connection=Storage"
HDRS="$T_DIR/headers"
ms() { date +%s%3N; }
# wait_status <id> <status>: polls GET status (10 s at most).
wait_status() {
	_i=0
	while [ $_i -lt 500 ]; do
		[ "$(curl -s --max-time 5 "$W/instances/$1" | jq -r .runtimeStatus 2>/dev/null)" = "$2" ] && return 0
		sleep 0.02
		_i=$((_i + 1))
	done
	return 1
}

# --- the answer is the output ------------------------------------------------
is "$(http -X POST "$W/orchestrators/hello_sequence?timeout=20&pollingInterval=1")" 200 \
	"management start + wait: 200"
is "$(jq -c . "$BODY_FILE")" '["Hello Tokyo!","Hello Seattle!","Hello London!"]' "… with the output"
# Finished in the very batch that started it: the wait must not miss it.
is "$(http -X POST -d '"quick"' "$W/orchestrators/wh_noop?timeout=20&pollingInterval=1")" 200 \
	"an orchestration done in its first episode (generated id): 200"
is "$(body)" '"quick"' "… with its output"
is "$(http -X POST -d '"named"' "$W/orchestrators/wh_noop/noop-named?timeout=20&pollingInterval=1")" 200 \
	"the same with an id of the caller's"
is "$(body)" '"named"' "… with its output"

# --- more parked waits than workers, while other functions answer -----------
pids=""
for i in 1 2 3 4 5 6; do
	curl -s -o "$T_DIR/park-$i.body" -w '%{http_code}' --max-time 30 -X POST \
		"$W/orchestrators/wh_wait/park-$i?timeout=25&pollingInterval=5" >"$T_DIR/park-$i.code" &
	pids="$pids $!"
done
all=0
for i in 1 2 3 4 5 6; do wait_status "park-$i" Running && all=$((all + 1)); done
is "$all" 6 "six waits parked on two workers"
is "$(http --max-time 2 "$BASE/api/hello?name=busy")" 200 "an HTTP function still answers"
is "$(body)" "Hello, busy!" "… with its body"
is "$(http --max-time 2 "$W/instances/park-1")" 202 "the management API still answers"
t0=$(ms)
for i in 1 2 3 4 5 6; do
	curl -s -o /dev/null --max-time 5 -X POST -H 'Content-Type: application/json' \
		-d "\"done-$i\"" "$W/instances/park-$i/raiseEvent/go"
done
# shellcheck disable=SC2086 # one PID per word
wait $pids
elapsed=$(($(ms) - t0))
good=0
for i in 1 2 3 4 5 6; do
	[ "$(cat "$T_DIR/park-$i.code")" = 200 ] && [ "$(cat "$T_DIR/park-$i.body")" = "\"done-$i\"" ] &&
		good=$((good + 1))
done
is "$good" 6 "every parked wait answers 200 with its own output"
# pollingInterval=5: a poll would answer seconds after the event; the commit answers at once.
ok "$([ "$elapsed" -lt 3000 ]; echo $?)" "the waits answered when the instances finished (${elapsed} ms after the events, interval 5 s)"

# --- the timeout: the 202 check-status response, unchanged ------------------
is "$(http -X POST "$W/orchestrators/wh_wait/plain-202")" 202 "a start without a wait: 202"
plain=$(sed 's/plain-202/late-202/g' "$BODY_FILE")
t0=$(ms)
is "$(curl -s -D "$HDRS" -o "$BODY_FILE" -w '%{http_code}' --max-time 10 -X POST \
	"$W/orchestrators/wh_wait/late-202?timeout=0.5&pollingInterval=0.1")" 202 "still running at the timeout: 202"
elapsed=$(($(ms) - t0))
ok "$([ "$elapsed" -ge 450 ] && [ "$elapsed" -lt 5000 ]; echo $?)" "… after the timeout (${elapsed} ms for 0.5 s)"
is "$(body)" "$plain" "… the same body as a start without a wait"
is "$(tr -d '\r' <"$HDRS" | sed -n 's/^Location: //Ip')" "$W/instances/late-202?$Q" "… Location"
is "$(tr -d '\r' <"$HDRS" | sed -n 's/^Retry-After: //Ip')" "10" "… Retry-After: 10"
is "$(http -X POST "$W/orchestrators/wh_wait?timeout=0&pollingInterval=0")" 202 \
	"timeout 0: one look, then 202"

# --- the app's wait (cf_durable_wait_or_check_status_response) ---------------
t0=$(ms)
is "$(http -X POST -d '{"duration_seconds":0.3}' "$BASE/api/async/long_running_job?timeout_ms=20000&retry_ms=5000")" 200 \
	"app wait: 200 when the job finished"
elapsed=$(($(ms) - t0))
is "$(jq -c . "$BODY_FILE")" '{"job":"done","duration_seconds":0.3}' "… with the output"
ok "$([ "$elapsed" -lt 3000 ]; echo $?)" "… when it finished (${elapsed} ms for a 0.3 s job, retry 5 s)"
is "$(http -X POST -d '{"duration_seconds":30}' "$BASE/api/async/long_running_job?timeout_ms=300&retry_ms=100")" 202 \
	"app wait: 202 at its timeout"
is "$(jq -r 'keys_unsorted | length' "$BODY_FILE")" 9 "… the 9-key client payload"

# --- app waits are parked too: more of them than workers ---------------------
# Only in process (--in-process): there the wait returns at once and the
# answer is held after the function returns; in a worker process an app
# function's wait keeps its worker until the commit or the timeout (README,
# "Where cfunc differs"), so six would not run at once on two workers, and
# a body set after the wait could not end it early. From here on the host
# runs --in-process (the task hub is kept: instances started above remain).
stop_host
start_host "$root" --in-process
ok $? "host starts again with --in-process for the parked app waits"
W="$BASE/runtime/webhooks/durabletask" # a new port
# running_jobs: how many long_running_job instances of this section (input
# with "n") are Running.
running_jobs() {
	curl -s --max-time 5 "$W/instances?runtimeStatus=Running&showInput=true" |
		jq '[.[] | select(.name == "long_running_job" and (.input | type) == "object" and .input.n != null)] | length' 2>/dev/null
}
pids=""
for i in 1 2 3 4 5 6; do
	curl -s -o "$T_DIR/app-$i.body" -w '%{http_code}' --max-time 30 -X POST \
		-d "{\"duration_seconds\":3,\"n\":$i}" \
		"$BASE/api/async/long_running_job?timeout_ms=25000&retry_ms=1000" >"$T_DIR/app-$i.code" &
	pids="$pids $!"
done
# Each function started its instance and returned: all six run at once on two
# workers (a wait that held its worker would let two run at a time).
i=0
while [ "$(running_jobs)" != 6 ] && [ $i -lt 250 ]; do
	sleep 0.02
	i=$((i + 1))
done
is "$(running_jobs)" 6 "six app waits at once on two workers"
is "$(http --max-time 2 "$BASE/api/hello?name=busy")" 200 "an HTTP function still answers while they wait"
# shellcheck disable=SC2086 # one PID per word
wait $pids
good=0
for i in 1 2 3 4 5 6; do
	[ "$(cat "$T_DIR/app-$i.code")" = 200 ] &&
		[ "$(jq -c . "$T_DIR/app-$i.body")" = '{"job":"done","duration_seconds":3}' ] &&
		good=$((good + 1))
done
is "$good" 6 "every parked app wait answers 200 with the output when its job is done"

# --- an app function that does more after the wait ---------------------------
is "$(curl -s -D "$HDRS" -o "$BODY_FILE" -w '%{http_code}' --max-time 10 -X POST -d '"done"' \
	"$BASE/api/wait_then_header/wh_noop")" 200 \
	"a function that adds a header after its wait: the output"
is "$(body)" '"done"' "… as the body"
is "$(tr -d '\r' <"$HDRS" | sed -n 's/^X-After-Wait: //Ip')" yes "… with the header it added"
t0=$(ms)
is "$(curl -s -D "$HDRS" -o "$BODY_FILE" -w '%{http_code}' --max-time 10 -X POST \
	"$BASE/api/wait_then_header/wh_wait?timeout_ms=400")" 202 \
	"the same, still running at the timeout: 202"
elapsed=$(($(ms) - t0))
ok "$([ "$elapsed" -ge 350 ]; echo $?)" "… after the timeout (${elapsed} ms for 0.4 s)"
is "$(tr -d '\r' <"$HDRS" | sed -n 's/^X-After-Wait: //Ip')" yes "… with the header it added"
after_id=$(jq -r .id "$BODY_FILE")
is "$(tr -d '\r' <"$HDRS" | sed -n 's/^Location: //Ip')" "$W/instances/$after_id?$Q" "… and the check-status Location"
t0=$(ms)
is "$(curl -s -o "$BODY_FILE" -w '%{http_code}' --max-time 10 -X POST \
	"$BASE/api/wait_then_body/wh_wait?timeout_ms=20000")" 202 \
	"a function that sets its own body after the wait: the wait's status"
elapsed=$(($(ms) - t0))
is "$(body)" '{"mine":true}' "… its own body"
ok "$([ "$elapsed" -lt 5000 ]; echo $?)" "… at once, not at the wait's timeout (${elapsed} ms for 20 s)"
curl -s -o /dev/null --max-time 5 -X POST -H 'Content-Type: application/json' -d '"late"' \
	"$W/instances/$after_id/raiseEvent/go"
wait_status "$after_id" Completed
ok $? "its instance finishes later, with no one waiting"
is "$(http --max-time 2 "$BASE/api/hello?name=after-waits")" 200 "the host still answers"

# --- an app function that waits twice: the last wait decides ------------------
curl -s -o "$T_DIR/twice.body" -w '%{http_code}' --max-time 30 -X POST \
	"$BASE/api/wait_twice/wh_wait?timeout_ms=25000" >"$T_DIR/twice.code" &
tpid=$!
# id_with_input <json>: the Running wh_wait instance started with that input.
id_with_input() {
	curl -s --max-time 5 "$W/instances?runtimeStatus=Running&showInput=true" |
		jq -r --argjson v "$1" '[.[] | select(.name == "wh_wait" and .input == $v)][0].instanceId // empty'
}
i=0
while { [ -z "$(id_with_input '"first"')" ] || [ -z "$(id_with_input '"second"')" ]; } && [ $i -lt 250 ]; do
	sleep 0.02
	i=$((i + 1))
done
first=$(id_with_input '"first"')
second=$(id_with_input '"second"')
ok "$([ -n "$first" ] && [ -n "$second" ]; echo $?)" "both instances of the double wait run"
curl -s -o /dev/null --max-time 5 -X POST -H 'Content-Type: application/json' -d '"f"' \
	"$W/instances/$first/raiseEvent/go"
wait_status "$first" Completed
ok $? "the first finishes"
curl -s -o /dev/null --max-time 5 -X POST -H 'Content-Type: application/json' -d '"s"' \
	"$W/instances/$second/raiseEvent/go"
wait "$tpid"
is "$(cat "$T_DIR/twice.code")" 200 "the double wait answers 200 when the second finishes"
is "$(cat "$T_DIR/twice.body")" '"s"' "… with the second one's output, not the first's"

# --- a client that leaves ------------------------------------------------------
curl -s -o /dev/null --max-time 0.5 -X POST "$W/orchestrators/wh_wait/left-1?timeout=25&pollingInterval=1"
is "$?" 28 "the client gives up on its wait"
curl -s -o /dev/null --max-time 5 -X POST -H 'Content-Type: application/json' -d '"late"' \
	"$W/instances/left-1/raiseEvent/go"
wait_status left-1 Completed
ok $? "its instance finishes after it left"
is "$(http --max-time 2 "$BASE/api/hello?name=after")" 200 "the host still answers"
# One more that never finishes: the stop must not wait for its 25 s.
curl -s -o /dev/null --max-time 0.5 -X POST "$W/orchestrators/wh_wait/left-2?timeout=25&pollingInterval=1"

# --- a stop answers the waits still parked ---------------------------------------
curl -s -o "$T_DIR/drain.body" -w '%{http_code}' --max-time 20 -X POST \
	"$W/orchestrators/wh_wait/drain-1?timeout=25&pollingInterval=1" >"$T_DIR/drain.code" &
cpid=$!
wait_status drain-1 Running
t0=$(ms)
stop_host
elapsed=$(($(ms) - t0))
wait "$cpid"
is "$HOST_RC" 0 "the host stops cleanly"
ok "$([ "$elapsed" -lt 5000 ]; echo $?)" "… without waiting for the parked waits (${elapsed} ms)"
is "$(cat "$T_DIR/drain.code")" 202 "a wait parked at the stop gets its 202"
is "$(jq -r .id "$T_DIR/drain.body")" drain-1 "… naming its instance"
ok "$(! grep -q "Sanitizer" "$HOST_LOG"; echo $?)" "no sanitizer report"

done_testing
