#!/bin/sh
# HTTP functions end to end: routing, parameters, limits, failures, admin
# API and console output, against build/cfunc on 127.0.0.1.
. "$(dirname "$0")/../lib.sh"
ABI="$CFUNC_BUILD/tests/20-abi"
root="$T_DIR/app"
make_root "$root" "[\"$CFUNC_BUILD/samples\", \"$ABI/testapp.so\"]" '"extensions": { "http": { "customHeaders": { "X-Custom-One": "1", "X-Custom-Two": "two" } } },
  "cfunc": { "apps": ["'"$CFUNC_BUILD/samples"'", "'"$ABI/testapp.so"'"], "limits": { "maxRequestBodyBytes": 1048576 } }'
cat >"$root/local.settings.json" <<JSON
{ "IsEncrypted": false, "Values": { "MY_SETTING": "from-local", "SHADOWED": "from-file" } }
JSON
SHADOWED=from-env start_host "$root"
ok $? "host starts"

# --- hello sample
is "$(http "$BASE/api/hello?name=Ada")" "200" "GET hello with a name"
is "$(body)" "Hello, Ada!" "GET hello body"
is "$(http -X POST -H 'Content-Type: application/json' -d '{"name":"Bob"}' "$BASE/api/hello")" "200" "POST hello with a JSON body"
is "$(body)" "Hello, Bob!" "POST hello body"
is "$(http "$BASE/api/hello")" "400" "hello without a name is 400"
like "$(body)" "Please pass a name" "the 400 says what is missing"
is "$(http -X POST -d '{"name":"Cy"}' "$BASE/api/hello_json")" "200" "hello_json"
is "$(body)" '{"greeting":"Hello, Cy!"}' "hello_json body"
is "$(http "$BASE/API/HELLO?name=x")" "200" "literal segments are case-insensitive"
is "$(http "$BASE/api/hello?NAME=Q")" "200" "query names are case-insensitive"
is "$(body)" "Hello, Q!" "case-insensitive query value"
is "$(http "$BASE/api/hello?name=a+b%21")" "200" "query decoding"
is "$(body)" "Hello, a b!!" "'+' is a space and %21 is decoded in queries"

# --- routing rules
is "$(http -X DELETE "$BASE/api/hello?name=x")" "404" "method mismatch is 404, not 405"
is "$(http -I "$BASE/api/hello?name=x")" "404" "HEAD is not implied by GET"
is "$(http "$BASE/api/nope")" "404" "unknown route is 404"
is "$(body)" "" "404 has an empty body"
is "$(http "$BASE/api/products/Books/12")" "200" "alpha + int constraints"
is "$(body)" '{"category":"Books","id":"12"}' "route values"
is "$(http "$BASE/api/products/Books")" "200" "optional parameter may be absent"
is "$(body)" '{"category":"Books","id":null}' "absent optional parameter is null"
is "$(http "$BASE/api/products/B00ks/1")" "404" "alpha constraint rejects digits"
is "$(http "$BASE/api/products/Books/x1")" "404" "int constraint rejects letters"
is "$(http "$BASE/api/items/latest")" "200" "literal beats parameter"
is "$(body)" '{"item":"latest"}' "literal route chosen"
is "$(http "$BASE/api/items/6f9619ff-8b86-d011-b42d-00cf4fc964ff")" "200" "guid constraint"
is "$(http "$BASE/api/items/not-a-guid")" "404" "guid constraint rejects"
is "$(http "$BASE/api/users")" "200" "default value"
is "$(body)" '{"user":"guest"}' "default value used"
is "$(http "$BASE/api/docs/readme.md")" "200" "complex segment"
is "$(body)" '{"file":"readme","ext":"md"}' "complex segment values"
is "$(http "$BASE/api/files/a/b/c.txt")" "200" "catch-all"
is "$(body)" '{"path":"a/b/c.txt"}' "catch-all value"
is "$(http "$BASE/api/echo/x%2541y")" "200" "percent-decoding once"
like "$(body)" "rest=x%41y" "%2541 decodes to %41, not A"
is "$(http "$BASE/api/echo/bad%zz")" "400" "malformed percent-encoding is 400"
like "$(body)" "malformed percent-encoding" "the 400 explains"
is "$(http "$BASE/api/echo/nul%00")" "400" "%00 in a path is 400"

# --- request model
is "$(http -X PUT -H 'X-Thing: v1' --data-binary 'raw body' "$BASE/api/echo/p?q=1")" "200" "echo"
b=$(body)
like "$b" "method=PUT" "method seen by the function"
like "$b" "path=/api/echo/p" "raw path"
like "$b" "header.x-thing=v1" "headers seen lower-case"
like "$b" "body=raw body" "body bytes"
is "$(curl -s -D - -o /dev/null "$BASE/api/echo/h" | tr -d '\r' | grep -i '^x-' | sort | tr '\n' ' ')" "X-Custom-One: 1 X-Custom-Two: two X-Echo: yes " "customHeaders and function headers"
is "$(http "$BASE/api/dupheader")" "200" "duplicate response header"
is "$(body)" "first=0 second=-6" "second header with the same name is refused"
is "$(curl -s -D - -o /dev/null "$BASE/api/dupheader" | tr -d '\r' | grep -ci '^x-twice')" "1" "only the first copy is sent"

# --- settings: local.settings.json Values, real environment wins
is "$(http "$BASE/api/setting?name=MY_SETTING")" "200" "setting from local.settings.json"
is "$(body)" "from-local" "its value"
is "$(http "$BASE/api/setting?name=SHADOWED")" "200" "setting shadowed by the environment"
is "$(body)" "from-env" "environment wins"
like "$(cat "$HOST_LOG")" "Skipping 'SHADOWED' from local settings as it's already defined in current environment variables." "the skip is reported"
is "$(http "$BASE/api/setting?name=NOT_SET_ANYWHERE")" "404" "unset setting is NULL"

# --- failures and limits
is "$(http "$BASE/api/fail")" "500" "a failing function answers 500"
is "$(body)" "" "with an empty body"
like "$(cat "$HOST_LOG")" "Executed 'Functions.fail' \\(Failed, Id=[0-9a-f-]{36}, Duration=[0-9]+ms\\)" "failure logged like func"
like "$(cat "$HOST_LOG")" "Exception while executing function: Functions.fail" "exception line"
head -c 2000000 /dev/zero >"$T_DIR/big"
is "$(http -X POST --data-binary @"$T_DIR/big" "$BASE/api/echo/big")" "413" "oversized body is 413"
long=$(head -c 9000 /dev/zero | tr '\0' a)
is "$(http "$BASE/api/echo/$long")" "414" "oversized request line is 414"
hv=$(head -c 40000 /dev/zero | tr '\0' b)
is "$(http -H "X-Big: $hv" "$BASE/api/echo/h")" "431" "oversized headers are 431"
is "$(http "$BASE/api/hello?name=after")" "200" "the host still serves after bad requests"

# --- console
log=$(cat "$HOST_LOG")
like "$log" "Executing 'Functions.hello' \\(Reason='This function was programmatically called via the host APIs.', Id=[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\\)" "Executing line"
like "$log" "Executed 'Functions.hello' \\(Succeeded, Id=[0-9a-f-]{36}, Duration=[0-9]+ms\\)" "Executed line"
like "$log" "^\\[[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z\\] HTTP trigger function processed a request." "user log with UTC timestamp"
if grep -q "$(printf '\033')" "$HOST_LOG"; then ok 1 "no colours when stdout is not a TTY"; else ok 0 "no colours when stdout is not a TTY"; fi
fl=$(sed -n '/^Functions:/,/^For detailed/p' "$HOST_LOG")
like "$fl" "$(printf '\thello: \\[GET,POST\\] http://localhost:%s/api/hello' "$PORT")" "HTTP function line"
like "$fl" "$(printf '\techo:  http://localhost:%s/api/echo/{\\*rest}' "$PORT")" "no methods: double space, raw template"
like "$fl" "$(printf '\ttest_activity: activityTrigger')" "activity line"
like "$fl" "$(printf '\ttest_orchestrator: orchestrationTrigger')" "orchestrator line"
first_nonhttp=$(printf '%s\n' "$fl" | grep -n 'Trigger$' | head -1 | cut -d: -f1)
last_http=$(printf '%s\n' "$fl" | grep -n 'http://' | tail -1 | cut -d: -f1)
ok "$([ "$last_http" -lt "$first_nonhttp" ]; echo $?)" "HTTP functions are listed before the others"

# --- admin API
is "$(http "$BASE/admin/host/status")" "200" "host status"
like "$(body)" '"state":"Running"' "state Running"
like "$(body)" '"processUptime":[0-9]+' "uptime in ms"
is "$(http "$BASE/admin/host/ping")" "200" "ping"
is "$(http -X POST "$BASE/admin/host/ping")" "200" "POST ping"
is "$(http "$BASE/admin/functions")" "200" "function list"
is "$(jq -r '.[].name' "$BODY_FILE" | sort | tr '\n' ' ')" "$(printf '%s\n' "$fl" | sed -n 's/^\t\([A-Za-z0-9_-]*\):.*/\1/p' | sort | tr '\n' ' ')" "admin lists the same functions as the console"
is "$(http "$BASE/admin/functions/HELLO")" "200" "one function (case-insensitive)"
is "$(jq -r '.name + " " + .config.bindings[0].type + " " + (.config.bindings[0].methods|join(","))' "$BODY_FILE")" "hello httpTrigger get,post" "function metadata"
is "$(jq -r .invoke_url_template "$BODY_FILE")" "$BASE/api/hello" "invoke URL uses the request's host"
is "$(http "$BASE/admin/functions/nope")" "404" "unknown function"
is "$(http "$BASE/admin/functions/hello/status")" "200" "function status"
is "$(body)" '{"errors":[]}' "no errors"
is "$(http -X POST "$BASE/admin/functions/test_activity")" "400" "admin invoke without a body"
is "$(http -X POST -d '{"input":"x"}' "$BASE/admin/functions/nope")" "404" "admin invoke of an unknown function"
is "$(http "$BASE/admin/nope")" "404" "unknown admin route"
is "$(http "$BASE/")" "200" "home page"
like "$(body)" "Your Functions 4.0 app is up and running" "home page text"
is "$(http "$BASE/robots933456.txt")" "404" "App Service probe answers 404"

# --- draining on SIGTERM: an in-flight request still completes
curl -s -o "$T_DIR/slow" -w '%{http_code}' "$BASE/api/slow?ms=700" >"$T_DIR/slow.code" &
cpid=$!
i=0
until grep -q "Executing 'Functions.slow'" "$HOST_LOG" || [ $i -ge 100 ]; do sleep 0.02; i=$((i + 1)); done
stop_host TERM
wait $cpid
is "$(cat "$T_DIR/slow.code")" "200" "in-flight request completes during drain"
is "$HOST_RC" "0" "exit 0 after draining"

# --- port in use
start_host "$root"
port=$PORT
# (another task hub: the first host holds this root's, which is checked first)
(cd "$root" && WEBSITE_SITE_NAME=PortBusyHub "$CFUNC" start --port "$port") >"$T_DIR/busy.log" 2>&1
is "$?" "1" "port in use exits 1"
like "$(cat "$T_DIR/busy.log")" "Port $port is unavailable. Close the process using that port, or specify another port using --port \\[-p\\]." "port in use message"
stop_host INT
is "$HOST_RC" "0" "exit 0 on SIGINT"

done_testing
