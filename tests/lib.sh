# shellcheck shell=sh
# lib.sh - shared helpers for end-to-end tests (sourced, POSIX sh).
#
# Each test makes its own app root under a temp dir, starts build/cfunc on
# 127.0.0.1 with --port 0 (the kernel picks a free port), waits for the
# "Now listening on" line, and stops the host by its PID at exit.
# Assertions print TAP lines counted by tests/run.sh.

: "${CFUNC:=$(pwd)/build/cfunc}"
: "${CFUNC_BUILD:=$(pwd)/build}"
: "${CFUNC_ROOT:=$(pwd)}"
T_N=0
T_FAILED=0
T_DIR=$(mktemp -d /tmp/cfunc-e2e.XXXXXX)
HOST_PID=""
PORT=""
BASE=""

t_cleanup() {
	[ -n "$HOST_PID" ] && kill -9 "$HOST_PID" 2>/dev/null
	rm -rf "$T_DIR"
}
trap t_cleanup EXIT

ok() { # ok <0|1 (shell truth: 0 = pass)> <description>
	T_N=$((T_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $T_N - $2"
	else
		echo "not ok $T_N - $2"
		T_FAILED=$((T_FAILED + 1))
	fi
}

is() { # is <got> <want> <description>
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#   got:  %s\n#   want: %s\n' "$1" "$2"
	fi
}

like() { # like <got> <extended regex> <description>
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#   got:  %s\n#   want match: %s\n' "$1" "$2"
	fi
}

done_testing() {
	echo "1..$T_N"
	[ "$T_FAILED" -eq 0 ]
}

# make_root <dir> <apps JSON array> [extra host.json members]
make_root() {
	mkdir -p "$1"
	cat >"$1/host.json" <<JSON
{
  "version": "2.0",
  "cfunc": { "apps": $2 }${3:+,
  $3}
}
JSON
}

# start_host <root> [extra args...]: starts cfunc, sets HOST_PID, PORT, BASE.
start_host() {
	_sh_root=$1
	shift
	HOST_LOG="$T_DIR/host.$$.$(date +%s%N).log"
	: >"$HOST_LOG"
	(cd "$_sh_root" && exec "$CFUNC" start --port 0 "$@") >"$HOST_LOG" 2>&1 &
	HOST_PID=$!
	_sh_i=0
	while [ $_sh_i -lt 200 ]; do
		PORT=$(sed -n 's/.*Now listening on: http:\/\/.*:\([0-9][0-9]*\)$/\1/p' "$HOST_LOG" | head -1)
		[ -n "$PORT" ] && break
		kill -0 "$HOST_PID" 2>/dev/null || break
		sleep 0.05
		_sh_i=$((_sh_i + 1))
	done
	BASE="http://127.0.0.1:$PORT"
	[ -n "$PORT" ]
}

# stop_host [signal]: signals the host and waits for it; sets HOST_RC.
stop_host() {
	[ -n "$HOST_PID" ] || return 0
	kill -"${1:-TERM}" "$HOST_PID" 2>/dev/null
	wait "$HOST_PID"
	# shellcheck disable=SC2034 # for the tests that check how the host ended
	HOST_RC=$?
	HOST_PID=""
}

# http <curl args...>: prints "<status>" and stores the body in $BODY_FILE.
BODY_FILE="$T_DIR/body"
http() {
	curl -s -o "$BODY_FILE" -w '%{http_code}' --max-time 20 "$@"
}
body() { cat "$BODY_FILE"; }

# orch_start <orchestrator> <body>: POST to durable_hello's starter
# (POST /api/orchestrators/<name>); sets CODE and ID.
# shellcheck disable=SC2034 # CODE and ID are what the caller reads
orch_start() {
	CODE=$(http -X POST -H 'Content-Type: application/json' -d "$2" "$BASE/api/orchestrators/$1")
	ID=$(jq -r '.id // empty' "$BODY_FILE" 2>/dev/null)
}

# poll <tries of 10 ms> <shell condition>: 0 once the condition (eval'd on each
# try) holds, 1 if it never did within the tries.
poll() {
	_p_i=0
	while ! eval "$2"; do
		[ "$_p_i" -ge "$1" ] && return 1
		sleep 0.01
		_p_i=$((_p_i + 1))
	done
}

# wait_for <id> <jq condition> [query]: polls the management API's status of
# <id> (15 s at most) until the condition is true; leaves the status in $ST.
wait_for() {
	_wf_i=0
	while :; do
		ST=$(curl -s --max-time 5 "$BASE/runtime/webhooks/durabletask/instances/$1$3")
		[ "$(printf '%s' "$ST" | jq -r "$2" 2>/dev/null)" = true ] && return 0
		[ $_wf_i -ge 300 ] && return 1
		sleep 0.05
		_wf_i=$((_wf_i + 1))
	done
}
