# shellcheck shell=sh
# lib_workers.sh - what the --worker-processes tests share (sourced after
# lib.sh): an app root of test apps, a host started with worker processes,
# a control client that counts the codes it gets while a test crashes or
# deploys, and bounded waits on the console, on a function's worker and on
# a process's end. Every wait polls with a bound; none stands in for one.

# The test apps (tests/20-abi/*.c), built.
# shellcheck disable=SC2034 # for the tests that source this file
ABI="$CFUNC_BUILD/tests/20-abi"

# workers_host_json <workers> [functionTimeout]: $R/host.json serving the
# apps under $R/apps with that many workers per app.
workers_host_json() {
	if [ -n "${2:-}" ]; then
		printf '{ "version": "2.0", "functionTimeout": "%s",\n  "cfunc": { "apps": ["apps"], "workers": %s } }\n' \
			"$2" "$1"
	else
		printf '{ "version": "2.0", "cfunc": { "apps": ["apps"], "workers": %s } }\n' "$1"
	fi >"$R/host.json"
}

# workers_root <workers> <functionTimeout, or - for none> <app file>...: the
# app root R ($T_DIR/app) with the files under apps/ and its host.json.
workers_root() {
	_wr_workers=$1
	_wr_timeout=$2
	shift 2
	[ "$_wr_timeout" = - ] && _wr_timeout=""
	R="$T_DIR/app"
	mkdir -p "$R/apps"
	cp "$@" "$R/apps/"
	workers_host_json "$_wr_workers" "$_wr_timeout"
}

# start_workers_host [extra args...]: starts the host of $R with
# --worker-processes (start_host: sets HOST_PID, PORT, BASE) and asserts it
# is listening.
start_workers_host() {
	start_host "$R" --worker-processes "$@"
	ok $? "host starts with --worker-processes"
}

# control_start [clients]: that many clients (default 1), each sending
# GET /api/ok one after another and appending the code of each answer to
# $CONTROL, until control_stop (or the test's end removes $T_DIR).
control_start() {
	CONTROL="$T_DIR/control"
	CONTROL_STOP="$T_DIR/control.stop"
	CONTROL_PIDS=""
	: >"$CONTROL"
	rm -f "$CONTROL_STOP"
	_cs_n=0
	while [ "$_cs_n" -lt "${1:-1}" ]; do
		(
			while [ ! -f "$CONTROL_STOP" ] && [ -d "$T_DIR" ]; do
				curl -s -o /dev/null -w '%{http_code}\n' --max-time 10 "$BASE/api/ok" >>"$CONTROL"
			done
		) &
		CONTROL_PIDS="$CONTROL_PIDS $!"
		_cs_n=$((_cs_n + 1))
	done
}

# control_stop: stops the control clients and waits for them. Sets
# CONTROL_TOTAL (requests), CONTROL_GOOD (of them 200) and CONTROL_OTHERS
# (the other codes with their counts, e.g. " 2 500", empty when none); true
# when there was a request and every one was 200.
# shellcheck disable=SC2034 # the CONTROL_* results are the caller's to read
control_stop() {
	touch "$CONTROL_STOP"
	for _cs_pid in $CONTROL_PIDS; do
		wait "$_cs_pid"
	done
	CONTROL_PIDS=""
	CONTROL_TOTAL=$(wc -l <"$CONTROL" | tr -d ' ')
	CONTROL_GOOD=$(grep -c '^200$' "$CONTROL")
	CONTROL_OTHERS=$(grep -v '^200$' "$CONTROL" | sort | uniq -c | tr -s ' \n' ' ')
	[ "$CONTROL_TOTAL" -gt 0 ] && [ "$CONTROL_GOOD" = "$CONTROL_TOTAL" ]
}

# wait_log <extended regex>: polls (15 s at most) until the console has a
# matching line, and prints the first one (nothing when none came).
wait_log() {
	_wl_i=0
	while ! grep -Eq -- "$1" "$HOST_LOG" && [ "$_wl_i" -lt 300 ]; do
		sleep 0.05
		_wl_i=$((_wl_i + 1))
	done
	grep -E -- "$1" "$HOST_LOG" | head -1
}

# sleeper_pid: the pid the crashy app's sleep function writes to
# $R/sleeping.pid when it starts (4 s at most), or nothing. Remove the file
# before the call to wait for.
sleeper_pid() {
	_sp_i=0
	while [ ! -s "$R/sleeping.pid" ] && [ "$_sp_i" -lt 200 ]; do
		sleep 0.02
		_sp_i=$((_sp_i + 1))
	done
	cat "$R/sleeping.pid" 2>/dev/null
}

# wait_gone <pid>: polls (10 s at most) until the process has ended; true
# when it has.
wait_gone() {
	_wg_i=0
	while kill -0 "$1" 2>/dev/null && [ "$_wg_i" -lt 200 ]; do
		sleep 0.05
		_wg_i=$((_wg_i + 1))
	done
	! kill -0 "$1" 2>/dev/null
}

# deploy <file> [app]: replaces $R/apps/<app>.so (default crashy) as make
# does: a new file, renamed over the old one.
deploy() {
	cp "$1" "$R/apps/.${2:-crashy}.so.tmp"
	mv "$R/apps/.${2:-crashy}.so.tmp" "$R/apps/${2:-crashy}.so"
}
