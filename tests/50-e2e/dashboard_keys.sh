#!/bin/sh
# The dashboard with keys on (--enableAuth), in headless chromium
# (dashboard/tests/keys.test.mjs): only the login form without the master
# key, wrong keys refused, the key kept in memory and sent as a header.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/dashboard.inc"
root="$T_DIR/app"
make_root "$root" "[\"$CFUNC_BUILD/samples/durable_hello.so\"]"
(cd "$root" && "$CFUNC" keys list --show >"$T_DIR/keys")
key_of() { # key_of <section heading> <name>
	awk -v sec="$1" -v name="$2" '
		/^[A-Z].*:$/ { in_sec = ($0 == sec ":") }
		in_sec && /-> Name:/ { cur = $3 }
		in_sec && /Value:/ && cur == name { print $2; exit }' "$T_DIR/keys"
}
MASTER=$(key_of "Master Key" master)
SYSTEM=$(key_of "System Keys" durabletask_extension)
ok "$([ ${#MASTER} -ge 43 ] && [ ${#SYSTEM} -ge 43 ]; echo $?)" "master and system keys exist"
start_host "$root" --enableAuth --ephemeral
ok $? "host starts with keys on"
dash_run keys.test.mjs MASTER="$MASTER" SYSTEM="$SYSTEM"
stop_host
if grep -q -- "$MASTER" "$HOST_LOG"; then ok 1 "the key is not in the host's log"; else ok 0 "the key is not in the host's log"; fi
done_testing
