#!/bin/sh
# process_mode.sh - app code runs in worker processes unless --in-process
# is given: the banner says which mode runs, the default host maps no app
# while its children (the workers) do, --in-process maps it in the host and
# starts no child, the two flags together are refused, an app whose other
# workers do not start fails (503) while the host serves, and under valgrind
# (when installed) the default host still starts its workers (/proc/self/exe
# names valgrind's tool there, so the host execs the binary it opened).
. "$CFUNC_ROOT/tests/lib.sh"

APP="$CFUNC_BUILD/samples/hello_http.so"
R="$T_DIR/app"
make_root "$R" "[\"$APP\"]"

# --- bad input: both modes at once
out=$(cd "$R" && "$CFUNC" start --port 0 --in-process --worker-processes 2>&1); rc=$?
is "$rc" "1" "--in-process with --worker-processes: exit 1"
like "$out" "--in-process and --worker-processes cannot both be given" "… saying why"
like "$("$CFUNC" start --help)" "--in-process +run app code in the host process" "cfunc start --help names --in-process"
like "$("$CFUNC" help)" "--in-process +Run app code in the host process" "cfunc help names it too"

# --- the default: worker processes
start_host "$R"
ok $? "host starts with no mode flag"
like "$(cat "$HOST_LOG")" "App code runs in worker processes \\(--in-process: in this one\\)" "the banner says worker processes"
is "$(http "$BASE/api/hello?name=w")" "200" "hello answers"
is "$(body)" "Hello, w!" "… with its body"
if grep -q "hello_http.so" "/proc/$HOST_PID/maps"; then ok 1 "the host maps no app"; else ok 0 "the host maps no app"; fi
kids=$(pgrep -P "$HOST_PID" | wc -l)
ok "$([ "$kids" -ge 1 ]; echo $?)" "the host has worker children ($kids)"
w=$(pgrep -P "$HOST_PID" | head -1)
if grep -q "hello_http.so" "/proc/$w/maps"; then ok 0 "a worker maps the app"; else ok 1 "a worker maps the app"; fi
workers=$(pgrep -P "$HOST_PID")
stop_host TERM
is "$HOST_RC" "0" "… exits 0 on SIGTERM"
left=""
i=0
while [ $i -lt 100 ]; do # bounded: 5 s for the workers to leave
	left=""
	for p in $workers; do kill -0 "$p" 2>/dev/null && left="$left $p"; done
	[ -z "$left" ] && break
	sleep 0.05
	i=$((i + 1))
done
is "$left" "" "… and leaves no worker behind"

# --- --worker-processes is accepted, and the same
start_host "$R" --worker-processes
ok $? "host starts with --worker-processes"
like "$(cat "$HOST_LOG")" "App code runs in worker processes" "… the same mode"
stop_host TERM

# --- --in-process: the app in the host, no children
start_host "$R" --in-process
ok $? "host starts with --in-process"
like "$(cat "$HOST_LOG")" "App code runs in this process \\(--in-process\\): a crash in it ends the host" "the banner says so"
is "$(http "$BASE/api/hello?name=p")" "200" "hello answers"
if grep -q "hello_http.so" "/proc/$HOST_PID/maps"; then ok 0 "the host maps the app"; else ok 1 "the host maps the app"; fi
is "$(pgrep -P "$HOST_PID" | wc -l | tr -d ' ')" "0" "… and starts no worker"
stop_host TERM
is "$HOST_RC" "0" "… exits 0 on SIGTERM"

# --- the start-up: the host listens once every app's first worker has
# registered; the others start after that. An app whose other workers do
# not start (its init fails but the first time) fails, and its calls answer
# 503 instead of waiting; the other apps serve.
ONCE="$CFUNC_BUILD/tests/20-abi/init_first_only.so"
R2="$T_DIR/once"
make_root "$R2" "[\"$APP\", \"$ONCE\"]"
start_host "$R2"
ok $? "host starts with an app that loads only once"
is "$(http "$BASE/api/hello?name=o")" "200" "hello answers"
i=0
until grep -q "A worker process of app 'init_first_only' did not start" "$HOST_LOG" || [ $i -ge 200 ]; do
	sleep 0.05 # bounded: 10 s for the other workers to fail
	i=$((i + 1))
done
like "$(cat "$HOST_LOG")" "A worker process of app 'init_first_only' did not start: .*init failed" \
	"a worker that does not start is logged with its reason"
is "$(http --max-time 10 "$BASE/api/first_only")" "503" "… its app fails: a call answers 503 instead of waiting"
is "$(http "$BASE/api/hello?name=o2")" "200" "the other app still answers"
stop_host TERM
is "$HOST_RC" "0" "… exits 0 on SIGTERM"
rm -f "$R2/init_first_only.marker"
start_host "$R2" --in-process
ok $? "with --in-process the app loads once"
is "$(http "$BASE/api/first_only")" "200" "… and its function answers"
stop_host TERM

# --- activities batched into a worker still get their Executing/Executed
# lines: 60 attempts on 2 activity threads queue, so threads hand several
# to a worker in one go.
R3="$T_DIR/fan"
make_root "$R3" "[\"$CFUNC_BUILD/tests/20-abi/engine_app.so\"]" \
	'"extensions": { "durableTask": { "maxConcurrentActivityFunctions": 2 } }'
start_host "$R3"
ok $? "host starts with the fan-out app"
is "$(http -X POST -H 'Content-Type: application/json' -d '{"count":60,"ms":1}' \
	"$BASE/runtime/webhooks/durabletask/orchestrators/fan_out/fan-lines")" "202" "a fan-out of 60 starts"
wait_for fan-lines '.runtimeStatus == "Completed"'
ok $? "… and completes"
i=0
until [ "$(grep -c "Executed 'Functions.slow_item' (Succeeded" "$HOST_LOG")" -ge 60 ] || [ $i -ge 100 ]; do
	sleep 0.05 # bounded: 5 s for the last lines
	i=$((i + 1))
done
is "$(grep -c "Executing 'Functions.slow_item'" "$HOST_LOG")" "60" "60 Executing lines for the activity"
is "$(grep -c "Executed 'Functions.slow_item' (Succeeded" "$HOST_LOG")" "60" "… and 60 Executed (Succeeded) lines"
starts=$(sed -n "s/.*Executing 'Functions.slow_item' .*Id=\([0-9a-f-]*\)).*/\1/p" "$HOST_LOG" | sort)
ends=$(sed -n "s/.*Executed 'Functions.slow_item' .*Id=\([0-9a-f-]*\), Duration.*/\1/p" "$HOST_LOG" | sort)
ok "$([ -n "$starts" ] && [ "$starts" = "$ends" ]; echo $?)" "… each Executed with the Id of an Executing"
stop_host TERM

# --- under valgrind the default host still starts workers (not for a
# sanitizer build: valgrind cannot run AddressSanitizer's binaries)
if ldd "$CFUNC" 2>/dev/null | grep -q libasan; then
	ok 0 "# SKIP a sanitizer build does not run under valgrind"
	ok 0 "# SKIP a sanitizer build does not run under valgrind"
	ok 0 "# SKIP a sanitizer build does not run under valgrind"
elif command -v valgrind >/dev/null 2>&1; then
	log="$T_DIR/vg.log"
	(cd "$R" && exec valgrind -q "$CFUNC" start --port 0) >"$log" 2>&1 &
	HOST_PID=$!
	i=0 PORT=""
	while [ -z "$PORT" ] && [ $i -lt 1200 ] && kill -0 "$HOST_PID" 2>/dev/null; do
		sleep 0.05 # bounded: 60 s for valgrind's start on a loaded machine
		PORT=$(sed -n 's/.*Now listening on: http:\/\/.*:\([0-9][0-9]*\)$/\1/p' "$log" | head -1)
		i=$((i + 1))
	done
	BASE="http://127.0.0.1:$PORT"
	ok "$([ -n "$PORT" ]; echo $?)" "under valgrind the host starts"
	if grep -q "Refusing app\|cannot start a worker\|You cannot run" "$log"; then
		ok 1 "… and its workers load the app"
	else
		ok 0 "… and its workers load the app"
	fi
	is "$(http --max-time 30 "$BASE/api/hello?name=vg")" "200" "… and hello answers from a worker"
	stop_host TERM
else
	ok 0 "# SKIP valgrind not installed"
	ok 0 "# SKIP valgrind not installed"
	ok 0 "# SKIP valgrind not installed"
fi

done_testing
