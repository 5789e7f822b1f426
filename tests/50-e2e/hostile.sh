#!/bin/sh
# Hostile input: JSON nested 100,000 deep on every endpoint that parses JSON
# gets a 400 and the host keeps serving; the connection cap closes the extra
# connection at once; a client that stops mid-request is cut off.
. "$(dirname "$0")/../lib.sh"
ABI="$CFUNC_BUILD/tests/20-abi"
root="$T_DIR/hostile"
make_root "$root" "[\"$ABI/testapp.so\", \"$CFUNC_BUILD/samples/durable_hello.so\"]" \
	'"cfunc": { "apps": ["'"$ABI/testapp.so"'", "'"$CFUNC_BUILD/samples/durable_hello.so"'"], "limits": { "maxConnections": 4, "requestTimeoutSeconds": 2 } }'
start_host "$root"
ok $? "host starts"

deep="$T_DIR/deep.json"
head -c 100000 /dev/zero | tr '\0' '[' >"$deep"
head -c 100000 /dev/zero | tr '\0' ']' >>"$deep"
W=$BASE/runtime/webhooks/durabletask
is "$(http -X POST -H 'Content-Type: application/json' --data-binary @"$deep" "$W/orchestrators/hello_sequence")" "400" "webhook start with 100,000-deep JSON"
is "$(http -X POST --data-binary @"$deep" "$BASE/api/orchestrators/hello_sequence")" "400" "HTTP starter (cf_json_valid) with 100,000-deep JSON"
is "$(http -X POST --data-binary @"$deep" "$BASE/api/test/start/test_orchestrator")" "400" "cf_durable_start with 100,000-deep input"
is "$(http -X POST -d '{}' "$BASE/api/test/start/test_waiter/deep-1")" "202" "a waiter to raise to"
is "$(http -X POST -H 'Content-Type: application/json' --data-binary @"$deep" "$W/instances/deep-1/raiseEvent/Go")" "400" "webhook raise with 100,000-deep JSON"
is "$(http -X POST --data-binary @"$deep" "$BASE/api/test/raise/deep-1/Go")" "400" "cf_durable_raise_event with 100,000-deep data"
is "$(http -X POST --data-binary @"$deep" "$BASE/admin/functions/test_activity")" "400" "admin invoke with 100,000-deep JSON"
is "$(http "$W/instances/deep-1")" "202" "the waiter is still waiting, untouched"
is "$(http "$BASE/api/echo/after")" "200" "the host still serves"

# The connection cap: 4 idle connections are kept, a 5th is closed at once.
bash -c '
	exec 3<>/dev/tcp/127.0.0.1/'"$PORT"' 4<>/dev/tcp/127.0.0.1/'"$PORT"' 5<>/dev/tcp/127.0.0.1/'"$PORT"' 6<>/dev/tcp/127.0.0.1/'"$PORT"'
	code=$(curl -s -o /dev/null -w "%{http_code}" --max-time 5 "'"$BASE"'/api/echo/capped")
	echo "$code" >"'"$T_DIR"'/capped"
	exec 3>&- 4>&- 5>&- 6>&-
'
is "$(cat "$T_DIR/capped")" "000" "a connection over maxConnections is closed"
i=0; code=000
while [ "$code" != 200 ] && [ $i -lt 50 ]; do code=$(http "$BASE/api/echo/free"); i=$((i + 1)); done
is "$code" "200" "served again once the idle connections are gone"

# A client that sends half a request and stops is cut off (cfunc.limits.
# requestTimeoutSeconds, 2 s here) and holds no worker meanwhile.
start_s=$(date +%s)
bash -c '
	exec 3<>/dev/tcp/127.0.0.1/'"$PORT"'
	printf "GET /api/echo/slow HTTP/1.1\r\nHost: x\r\nX-Slow: " >&3
	cat <&3 >/dev/null
	echo closed >"'"$T_DIR"'/slow"
' &
slow=$!
is "$(http "$BASE/api/echo/meanwhile")" "200" "others are served while a client dribbles"
wait $slow
took=$(($(date +%s) - start_s))
is "$(cat "$T_DIR/slow")" "closed" "the server closed the half-sent request"
ok "$([ "$took" -ge 1 ] && [ "$took" -le 5 ]; echo $?)" "after about the request timeout (${took}s)"

stop_host
is "$HOST_RC" "0" "clean shutdown"

# cfunc.allowedHosts: a Host header outside the list is refused (DNS rebinding).
make_root "$root" "[\"$ABI/testapp.so\"]" '"cfunc": { "apps": ["'"$ABI/testapp.so"'"], "allowedHosts": ["localhost", "127.0.0.1"] }'
start_host "$root"
is "$(http -H 'Host: evil.test' "$BASE/api/echo/x")" "400" "a foreign Host header is refused"
like "$(body)" "Host not allowed" "with a reason"
is "$(http -H "Host: localhost:$PORT" "$BASE/api/echo/x")" "200" "localhost with a port is allowed"
is "$(http -H 'Host: LOCALHOST' "$BASE/api/echo/x")" "200" "names compare case-insensitively"
is "$(http "$BASE/api/echo/x")" "200" "127.0.0.1 is allowed"
stop_host
done_testing
