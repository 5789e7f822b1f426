#!/bin/sh
# Safer by default on loopback: without cfunc.allowedHosts a host bound to a
# loopback address answers only Host names a local page has (localhost,
# 127.0.0.1, [::1], this machine's name; any port), so a web page cannot
# read the master key through DNS rebinding. Other binds accept any Host;
# cfunc.allowedHosts, when set, is the list instead.
. "$(dirname "$0")/../lib.sh"
ABI="$CFUNC_BUILD/tests/20-abi"
root="$T_DIR/loopback"
make_root "$root" "[\"$ABI/testapp.so\"]"
start_host "$root"
ok $? "host starts on 127.0.0.1, no cfunc.allowedHosts, no --enableAuth"
MK="$BASE/admin/host/systemkeys/_master"

is "$(http -H 'Host: evil.example' "$MK")" "400" "the master key through a rebound name: 400"
like "$(body)" "Host not allowed" "the allowed-hosts answer"
ok "$(! grep -q '"value"' "$BODY_FILE"; echo $?)" "no key in it"
is "$(http -H 'Host: evil.example:80' "$BASE/api/echo/x")" "400" "with a port, and on function routes too"
is "$(http -H 'Host: localhost.evil.example' "$BASE/api/echo/x")" "400" "a name that starts with localhost"
is "$(http -H 'Host: 127.0.0.1.nip.io' "$BASE/api/echo/x")" "400" "a name that starts with 127.0.0.1"
is "$(http -H 'Host: 127.0.0.2' "$BASE/api/echo/x")" "400" "another loopback number is not on the list"
is "$(http -H 'Host: ' "$BASE/api/echo/x")" "400" "an empty Host"

is "$(http "$MK")" "200" "Host 127.0.0.1:<port>: the key as before"
like "$(body)" '"value"' "with the key"
is "$(http -H 'Host: localhost' "$BASE/api/echo/x")" "200" "localhost"
is "$(http -H "Host: LocalHost:$PORT" "$BASE/api/echo/x")" "200" "localhost:<port>, any case"
is "$(http -H 'Host: [::1]:7071' "$BASE/api/echo/x")" "200" "[::1] with a port"
is "$(http -H 'Host: 127.0.0.1' "$BASE/api/echo/x")" "200" "127.0.0.1 without a port"
is "$(http -H "Host: $(hostname)" "$BASE/api/echo/x")" "200" "this machine's name ($(hostname))"
out=$(bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$PORT"'; printf "GET /api/echo/x HTTP/1.0\r\n\r\n" >&3; timeout 5 cat <&3' | head -1 | tr -d '\r')
like "$out" "^HTTP/1.1 200 " "HTTP/1.0 without a Host header (no browser sends that)"
stop_host

# Bound to every address: the host is meant to be reached by other names.
# Emptied first: the background start truncates the file only when its shell
# gets to run, and the previous host's "Now listening on" line (its port)
# would be read until then.
: >"$HOST_LOG"
(cd "$root" && exec "$CFUNC" start --port 0 --address 0.0.0.0) >"$HOST_LOG" 2>&1 &
HOST_PID=$!
i=0
while [ $i -lt 200 ] && ! grep -q "Now listening on" "$HOST_LOG"; do sleep 0.05; i=$((i + 1)); done
PORT=$(sed -n 's/.*Now listening on: http:\/\/.*:\([0-9][0-9]*\)$/\1/p' "$HOST_LOG" | head -1)
is "$(http -H 'Host: evil.example' "http://127.0.0.1:$PORT/api/echo/x")" "200" "--address 0.0.0.0: any Host, as before"
stop_host

# cfunc.allowedHosts replaces the loopback list.
make_root "$root" "[\"$ABI/testapp.so\"]" '"cfunc": { "apps": ["'"$ABI/testapp.so"'"], "allowedHosts": ["app.test"] }'
start_host "$root"
is "$(http -H 'Host: app.test:8080' "$BASE/api/echo/x")" "200" "a listed name is allowed"
is "$(http -H 'Host: localhost' "$BASE/api/echo/x")" "400" "localhost is not, when the list does not name it"
stop_host

# ::1 is loopback too (where the machine has IPv6).
if [ -e /proc/net/if_inet6 ]; then
	make_root "$root" "[\"$ABI/testapp.so\"]"
	if start_host "$root" --address ::1; then
		is "$(http -g -H 'Host: evil.example' "http://[::1]:$PORT/api/echo/x")" "400" "--address ::1: a foreign Host is refused"
		is "$(http -g "http://[::1]:$PORT/api/echo/x")" "200" "[::1]:<port> is allowed"
		stop_host
	else
		ok 0 "# skip: cannot listen on ::1"
	fi
fi
done_testing
