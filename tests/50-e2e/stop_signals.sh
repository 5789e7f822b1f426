#!/bin/sh
# Stopping the host by signal: SIGTERM sent the very moment "Now listening
# on" appears (what a supervisor or a script does) stops it cleanly, every
# time; SIGINT (Ctrl+C) and SIGTERM print ASP.NET's "Application is
# shutting down..." as func does, then the host drains and exits 0.
. "$(dirname "$0")/../lib.sh"
root="$T_DIR/app"
make_root "$root" "[\"$CFUNC_BUILD/samples/hello_http.so\", \"$CFUNC_BUILD/samples/durable_hello.so\"]"

# run_and_signal <signal> <log>: starts the host with stdout on a FIFO, and
# sends <signal> as soon as the "Now listening on" line has been read from
# it (no polling delay). Sets RC to the host's exit status.
run_and_signal() {
	fifo="$T_DIR/fifo"
	rm -f "$fifo"
	mkfifo "$fifo"
	(cd "$root" && exec "$CFUNC" start --port 0) >"$fifo" 2>&1 &
	HOST_PID=$!
	sent=0
	: >"$2"
	while IFS= read -r line; do
		printf '%s\n' "$line" >>"$2"
		case $line in
		*"Now listening on"*)
			kill -"$1" "$HOST_PID"
			sent=1
			;;
		esac
	done <"$fifo"
	wait "$HOST_PID"
	RC=$?
	HOST_PID=""
	[ "$sent" -eq 1 ]
}

# --- SIGTERM at the line, many times: never killed by the default action
runs=25
clean=0
shut=0
for i in $(seq 1 $runs); do
	run_and_signal TERM "$T_DIR/term.$i.log" || echo "# run $i: the line never came"
	[ "$RC" -eq 0 ] && clean=$((clean + 1)) || echo "# run $i: exit status $RC"
	grep -q "\\] Application is shutting down\\.\\.\\.$" "$T_DIR/term.$i.log" && shut=$((shut + 1))
done
is "$clean" "$runs" "SIGTERM the moment 'Now listening on' appears: exit 0 in every one of $runs runs"
is "$shut" "$runs" "... and each run printed 'Application is shutting down...'"
last="$T_DIR/term.$runs.log"
is "$(grep -c 'Application is shutting down' "$last")" "1" "the line is printed once"

# --- SIGINT while serving: the same line, then the drain, exit 0
start_host "$root" --verbose
is "$(http "$BASE/api/hello?name=int")" "200" "serving before Ctrl+C"
kill -INT "$HOST_PID"
wait "$HOST_PID"
is "$?" "0" "SIGINT: exit 0"
HOST_PID=""
log=$(cat "$HOST_LOG")
like "$log" "\\] Application is shutting down\\.\\.\\." "SIGINT prints func's line"
first=$(grep -n 'Application is shutting down' "$HOST_LOG" | cut -d: -f1)
drain=$(grep -n 'Stopping the host: draining' "$HOST_LOG" | cut -d: -f1)
ok "$([ -n "$first" ] && [ -n "$drain" ] && [ "$first" -lt "$drain" ]; echo $?)" "it comes first, before the drain"
is "$(grep -c 'Application is shutting down' "$HOST_LOG")" "1" "once"

# --- SIGINT the moment the line appears: also clean
run_and_signal INT "$T_DIR/int.log"
is "$RC" "0" "SIGINT at 'Now listening on': exit 0"
like "$(cat "$T_DIR/int.log")" "Application is shutting down\\.\\.\\." "... with the line"

# --- a second signal during the drain does not kill the host either
start_host "$root"
kill -TERM "$HOST_PID"
kill -TERM "$HOST_PID" 2>/dev/null
kill -INT "$HOST_PID" 2>/dev/null
wait "$HOST_PID"
is "$?" "0" "three signals in a row: still exit 0"
HOST_PID=""
is "$(grep -c 'Application is shutting down' "$HOST_LOG")" "1" "and one line"

done_testing
