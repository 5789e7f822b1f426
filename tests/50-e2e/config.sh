#!/bin/sh
# host.json / local.settings.json / CLI behaviour end to end.
. "$(dirname "$0")/../lib.sh"
ABI="$CFUNC_BUILD/tests/20-abi"
APPS="[\"$CFUNC_BUILD/samples/hello_http.so\", \"$ABI/testapp.so\"]"

# --- broken host.json: one line naming file, line and column; exit 1
root="$T_DIR/broken"
mkdir -p "$root"
printf '{\n  "version": "2.0",\n  "logging": { "logLevel": }\n}\n' >"$root/host.json"
(cd "$root" && "$CFUNC" start --port 0) >"$T_DIR/out" 2>&1
is "$?" "1" "broken host.json exits 1"
is "$(grep -c . "$T_DIR/out")" "1" "one line of output"
like "$(cat "$T_DIR/out")" "Unable to parse host configuration file '$root/host.json': line 3, column [0-9]+" "names file, line and column"

printf '{ "logging": {} }\n' >"$root/host.json"
(cd "$root" && "$CFUNC" start --port 0) >"$T_DIR/out" 2>&1
is "$?" "1" "missing version exits 1"
like "$(cat "$T_DIR/out")" "The host.json file is missing the required 'version' property." "missing version message"

printf '{ "version": "3.0" }\n' >"$root/host.json"
(cd "$root" && "$CFUNC" start --port 0) >"$T_DIR/out" 2>&1
is "$?" "1" "wrong version exits 1"
like "$(cat "$T_DIR/out")" "'3.0' is an invalid value for host.json 'version' property." "wrong version message"

make_root "$root" "$APPS"
printf '{ "IsEncrypted": false, "Values": { "A": "1", }\n' >"$root/local.settings.json"
(cd "$root" && "$CFUNC" start --port 0) >"$T_DIR/out" 2>&1
is "$?" "1" "broken local.settings.json exits 1"
like "$(cat "$T_DIR/out")" "local.settings.json.*line 1, column [0-9]+" "names the settings file and position"

printf '{ "IsEncrypted": true, "Values": { "A": "plain" } }\n' >"$root/local.settings.json"
(cd "$root" && CFUNC_SECRETS_DIR="$T_DIR/nokey" "$CFUNC" start --port 0) >"$T_DIR/out" 2>&1
is "$?" "1" "encrypted settings without the settings key exit 1"
like "$(cat "$T_DIR/out")" "Failed to decrypt settings" "the error says why"
rm "$root/local.settings.json"

# --- no host.json anywhere upwards
mkdir -p "$T_DIR/empty/sub"
(cd "$T_DIR/empty/sub" && "$CFUNC" start --port 0) >"$T_DIR/out" 2>&1
is "$?" "1" "no project root exits 1"
like "$(cat "$T_DIR/out")" "Unable to find project root. Expecting to find one of host.json, local.settings.json in project root." "project root message"

# --- run from a sub-folder finds the root; --script-root works from anywhere
mkdir -p "$root/deep/er"
start_host "$root/deep/er"
ok $? "host found host.json upwards"
is "$(http "$BASE/api/hello?name=up")" "200" "serves from the discovered root"
stop_host
(cd /tmp && exec "$CFUNC" start --port 0 --script-root "$root") >"$T_DIR/sr.log" 2>&1 &
HOST_PID=$!
i=0; until grep -q "Now listening" "$T_DIR/sr.log" || [ $i -ge 100 ]; do sleep 0.05; i=$((i + 1)); done
PORT=$(sed -n 's/.*Now listening on: http:\/\/.*:\([0-9]*\)$/\1/p' "$T_DIR/sr.log")
is "$(http "http://127.0.0.1:$PORT/api/hello?name=sr")" "200" "--script-root"
stop_host

# --- routePrefix empty, overridden from the environment
make_root "$root" "$APPS" '"extensions": { "http": { "routePrefix": "" } }'
start_host "$root"
is "$(http "$BASE/hello?name=p")" "200" "empty routePrefix"
is "$(http "$BASE/api/hello?name=p")" "404" "no api/ prefix then"
stop_host
AzureFunctionsJobHost__extensions__http__routePrefix=v1 start_host "$root"
is "$(http "$BASE/v1/hello?name=p")" "200" "AzureFunctionsJobHost__ env override of a host.json key"
stop_host

# --- functions filter (host.json and --functions), disabled functions
make_root "$root" "$APPS" '"functions": ["hello"]'
start_host "$root"
is "$(http "$BASE/api/hello?name=f")" "200" "listed function served"
is "$(http "$BASE/api/slow?ms=1")" "404" "unlisted function not served"
if grep -q "slow:" "$HOST_LOG"; then ok 1 "unlisted function not printed"; else ok 0 "unlisted function not printed"; fi
stop_host
make_root "$root" "$APPS"
start_host "$root" --functions slow
is "$(http "$BASE/api/slow?ms=1")" "200" "--functions keeps slow"
is "$(http "$BASE/api/hello?name=f")" "404" "--functions drops hello"
stop_host
# 'AzureWebJobs.hello.Disabled' is not a shell identifier: set it through env(1).
HOST_LOG="$T_DIR/dis.log"
(cd "$root" && exec env 'AzureWebJobs.hello.Disabled=true' "$CFUNC" start --port 0) >"$HOST_LOG" 2>&1 &
HOST_PID=$!
i=0; until grep -q "Now listening" "$HOST_LOG" || [ $i -ge 100 ]; do sleep 0.05; i=$((i + 1)); done
PORT=$(sed -n 's/.*Now listening on: http:\/\/.*:\([0-9]*\)$/\1/p' "$HOST_LOG")
is "$(http "http://127.0.0.1:$PORT/api/hello?name=d")" "404" "disabled function answers 404"
like "$(cat "$HOST_LOG")" "Function hello is disabled." "disabled warning"
if sed -n '/^Functions:/,/^For detailed/p' "$HOST_LOG" | grep -q "hello:"; then ok 1 "disabled function not listed"; else ok 0 "disabled function not listed"; fi
stop_host

# --- functionTimeout: the caller gets 500 and the timeout is logged
make_root "$root" "$APPS" '"functionTimeout": "00:00:01"'
start_host "$root"
is "$(http "$BASE/api/slow?ms=2500")" "500" "function over functionTimeout answers 500"
like "$(cat "$HOST_LOG")" "Timeout value of 00:00:01 exceeded by function 'Functions.slow' \\(Id: '[0-9a-f-]{36}'\\). Initiating cancellation." "timeout message"
is "$(http "$BASE/api/hello?name=t")" "200" "host keeps serving after a timeout"
stop_host

printf '{ "version": "2.0", "functionTimeout": "00:00:00.5" }\n' >"$root/host.json"
(cd "$root" && "$CFUNC" start --port 0) >"$T_DIR/out" 2>&1
is "$?" "1" "functionTimeout below 1 s is refused"

# --- maxOutstandingRequests: 429 with X-FUNCTION-SCALEOUT and no body
make_root "$root" "$APPS" '"extensions": { "http": { "maxOutstandingRequests": 1 } }'
start_host "$root"
curl -s -o /dev/null "$BASE/api/slow?ms=800" &
cpid=$!
i=0; until grep -q "Executing 'Functions.slow'" "$HOST_LOG" || [ $i -ge 100 ]; do sleep 0.02; i=$((i + 1)); done
is "$(curl -s -D "$T_DIR/h429" -o "$BODY_FILE" -w '%{http_code}' "$BASE/api/hello?name=x")" "429" "over maxOutstandingRequests is 429"
like "$(tr -d '\r' <"$T_DIR/h429")" "X-FUNCTION-SCALEOUT: 1" "429 carries X-FUNCTION-SCALEOUT"
is "$(body)" "" "429 has no body"
wait $cpid
is "$(http "$BASE/api/hello?name=x")" "200" "served again once the slow request is done"
stop_host

# --- logging levels and --verbose
make_root "$root" "$APPS" '"logging": { "logLevel": { "Function.hello": "Warning" } }'
start_host "$root"
http "$BASE/api/hello?name=quiet" >/dev/null
http "$BASE/api/slow?ms=1" >/dev/null
stop_host
if grep -q "Executing 'Functions.hello'" "$HOST_LOG"; then ok 1 "Function.hello at Warning hides its Executing line"; else ok 0 "Function.hello at Warning hides its Executing line"; fi
like "$(cat "$HOST_LOG")" "Executing 'Functions.slow'" "other functions still log"
make_root "$root" "$APPS"
start_host "$root" --verbose
stop_host
like "$(cat "$HOST_LOG")" "Loading apps from" "--verbose shows host logs"
if grep -q "For detailed output" "$HOST_LOG"; then ok 1 "no --verbose hint when verbose"; else ok 0 "no --verbose hint when verbose"; fi
start_host "$root"
stop_host
if grep -q "Loading apps from" "$HOST_LOG"; then ok 1 "host Information logs hidden by default"; else ok 0 "host Information logs hidden by default"; fi

# --- CORS: --cors / Host.CORS, preflight answered before routing
make_root "$root" "$APPS"
start_host "$root" --cors "http://a.test,http://c.test:8080"
code=$(curl -s -D "$T_DIR/h" -o /dev/null -w '%{http_code}' -X OPTIONS -H 'Origin: http://a.test' \
	-H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: X-Thing' "$BASE/api/hello")
is "$code" "204" "preflight from an allowed origin: 204"
h=$(tr -d '\r' <"$T_DIR/h")
like "$h" "access-control-allow-origin: http://a.test" "the origin is allowed"
like "$h" "access-control-allow-methods: POST" "the requested method is echoed"
like "$h" "access-control-allow-headers: X-Thing" "the requested headers are echoed"
code=$(curl -s -D "$T_DIR/h" -o /dev/null -w '%{http_code}' -H 'Origin: http://c.test:8080' "$BASE/api/hello?name=c")
is "$code" "200" "a simple request from an allowed origin"
like "$(tr -d '\r' <"$T_DIR/h")" "access-control-allow-origin: http://c.test:8080" "carries the CORS header"
code=$(curl -s -D "$T_DIR/h" -o /dev/null -w '%{http_code}' -H 'Origin: http://b.test' "$BASE/api/hello?name=b")
is "$code" "200" "a request from another origin is still served"
if grep -qi "access-control" "$T_DIR/h"; then ok 1 "but without CORS headers"; else ok 0 "but without CORS headers"; fi
code=$(curl -s -D "$T_DIR/h" -o /dev/null -w '%{http_code}' -X OPTIONS -H 'Origin: http://b.test' \
	-H 'Access-Control-Request-Method: GET' "$BASE/api/hello")
is "$code" "204" "a preflight from another origin: 204"
if grep -qi "access-control" "$T_DIR/h"; then ok 1 "without CORS headers"; else ok 0 "without CORS headers"; fi
stop_host
printf '{ "IsEncrypted": false, "Host": { "CORS": "*" } }\n' >"$root/local.settings.json"
start_host "$root"
curl -s -D "$T_DIR/h" -o /dev/null -H 'Origin: http://any.test' "$BASE/api/hello?name=x"
like "$(tr -d '\r' <"$T_DIR/h")" "access-control-allow-origin: \\*" "Host.CORS * gives Access-Control-Allow-Origin: *"
stop_host
start_host "$root" --cors-credentials
curl -s -D "$T_DIR/h" -o /dev/null -H 'Origin: http://any.test' "$BASE/api/hello?name=x"
h=$(tr -d '\r' <"$T_DIR/h")
like "$h" "access-control-allow-origin: http://any.test" "* with credentials echoes the origin"
like "$h" "access-control-allow-credentials: true" "and allows credentials"
stop_host
rm "$root/local.settings.json"
start_host "$root"
is "$(http -X OPTIONS -H 'Origin: http://a.test' -H 'Access-Control-Request-Method: POST' "$BASE/api/hello")" "404" "without CORS an OPTIONS request is routed (hello has no OPTIONS)"
stop_host

# --- Host section of local.settings.json gives the port; the flag wins
printf '{ "IsEncrypted": false, "Host": { "LocalHttpPort": 1 } }\n' >"$root/local.settings.json"
start_host "$root"
ok $? "--port overrides Host.LocalHttpPort"
stop_host
(cd "$root" && "$CFUNC" start --address 300.1.1.1 --port 0) >"$T_DIR/out" 2>&1
is "$?" "1" "invalid --address exits 1"
like "$(cat "$T_DIR/out")" "Invalid --address value '300.1.1.1'. Expected an IP address, for example 127.0.0.1 or 0.0.0.0." "invalid address message"

done_testing
