#!/bin/sh
# The dashboard's files and its read-only /admin endpoints over curl:
# content types, caching, the CSP, 304/404/405/301; /admin/durable/counts,
# /admin/durable/history and /admin/host/functions with good and bad input;
# with keys on: files without a key, data with the master key only.
. "$(dirname "$0")/../lib.sh"
S="$CFUNC_BUILD/samples"
root="$T_DIR/app"
make_root "$root" "[\"$S/durable_hello.so\", \"$S/approval.so\"]"
(cd "$root" && "$CFUNC" keys list --show >"$T_DIR/keys")
key_of() {
	awk -v sec="$1" -v name="$2" '
		/^[A-Z].*:$/ { in_sec = ($0 == sec ":") }
		in_sec && /-> Name:/ { cur = $3 }
		in_sec && /Value:/ && cur == name { print $2; exit }' "$T_DIR/keys"
}
MASTER=$(key_of "Master Key" master)
SYSTEM=$(key_of "System Keys" durabletask_extension)
start_host "$root"
ok $? "host starts"
HDR="$T_DIR/headers"
# get <curl args...>: status, headers in $HDR, body in $BODY_FILE
get() { curl -s -D "$HDR" -o "$BODY_FILE" -w '%{http_code}' --max-time 20 "$@"; }
hdr() { sed -n "s/^$1: *//Ip" "$HDR" | tr -d '\r' | head -1; }

# --- files
D="$BASE/admin/dashboard"
is "$(get "$D/")" 200 "GET /admin/dashboard/: 200"
is "$(hdr Content-Type)" "text/html; charset=utf-8" "… HTML"
like "$(hdr Content-Security-Policy)" "^default-src 'self'; script-src 'self'; style-src 'self';" "… a strict CSP (self only, no inline script)"
ok "$(hdr Content-Security-Policy | grep -vq "unsafe"; echo $?)" "… with nothing unsafe in it"
is "$(hdr X-Content-Type-Options)" "nosniff" "… nosniff"
is "$(hdr Cache-Control)" "no-cache" "… revalidated on every load"
etag=$(hdr ETag)
like "$etag" '^"[0-9a-f]{16}"$' "… with an ETag"
like "$(body)" '<script type="module" src="js/app.js"></script>' "… loading the app as a module from this origin"
if grep -Eq '(src|href)="(https?:)?//' "$BODY_FILE"; then ok 1 "… and nothing from another origin"; else ok 0 "… and nothing from another origin"; fi
is "$(get -H "If-None-Match: $etag" "$D/")" 304 "the same ETag: 304"
is "$(get -H 'If-None-Match: "0000000000000000"' "$D/")" 200 "another ETag: 200"
is "$(get "$D/js/app.js")" 200 "GET js/app.js: 200"
is "$(hdr Content-Type)" "text/javascript; charset=utf-8" "… JavaScript"
is "$(get "$D/css/app.css")" 200 "GET css/app.css: 200"
is "$(hdr Content-Type)" "text/css; charset=utf-8" "… CSS"
is "$(get "$D/img/icon.svg")" 200 "GET img/icon.svg"
is "$(hdr Content-Type)" "image/svg+xml" "… SVG"
is "$(get "$D/nope.js")" 404 "an unknown file: 404"
like "$(hdr Content-Security-Policy)" "default-src 'self'" "… with the CSP too"
is "$(get "$D/README.md")" 404 "the front end's README is not served"
is "$(get "$D/tests/lib.mjs")" 404 "nor its tests"
is "$(get --path-as-is "$D/../host/status")" 404 "no way out of the folder by .."
is "$(get --path-as-is "$D/js/../../host/status")" 404 "… nor by js/../.."
is "$(get -X POST "$D/")" 405 "POST: 405"
is "$(hdr Allow)" "GET, HEAD" "… Allow: GET, HEAD"
is "$(get "$D")" 301 "/admin/dashboard without the slash: 301"
is "$(hdr Location)" "/admin/dashboard/" "… to /admin/dashboard/"

# --- counts
for _ in 1 2 3; do orch_start hello_sequence '""'; done
orch_start approval_workflow '{"timeout_seconds": 600}'
RUN=$ID
wait_for "$RUN" '.runtimeStatus == "Running"'
_i=0
until [ "$(get "$BASE/admin/durable/counts" >/dev/null; jq -r .counts.Completed "$BODY_FILE")" = 3 ] || [ $_i -ge 300 ]; do sleep 0.05; _i=$((_i + 1)); done
is "$(get "$BASE/admin/durable/counts")" 200 "GET /admin/durable/counts: 200"
is "$(hdr Content-Type)" "application/json; charset=utf-8" "… JSON"
is "$(jq -c . "$BODY_FILE")" '{"taskHub":"TestHubName","counts":{"Running":1,"Completed":3,"ContinuedAsNew":0,"Failed":0,"Terminated":0,"Pending":0,"Suspended":0},"total":4}' "… every status, with the total"
curl -s -X POST "$BASE/runtime/webhooks/durabletask/instances/$RUN/terminate" >/dev/null
wait_for "$RUN" '.runtimeStatus == "Terminated"'
get "$BASE/admin/durable/counts" >/dev/null
is "$(jq -c '[.counts.Running, .counts.Terminated, .total]' "$BODY_FILE")" "[0,1,4]" "counts follow a terminate"
is "$(get -X POST "$BASE/admin/durable/counts")" 404 "POST counts: 404"
is "$(get "$BASE/admin/durable/nothing")" 404 "an unknown /admin/durable path: 404"

# --- history
H="$BASE/admin/durable/history"
is "$(get "$H?instanceId=$RUN")" 200 "history of an instance: 200"
is "$(jq -r '[.instanceId, .name, .runtimeStatus, (.events | length) == .totalEvents] | join(" ")' "$BODY_FILE")" "$RUN approval_workflow Terminated true" "… its id, name, status and every event"
is "$(jq -r '.events[0:2] | map(.EventType) | join(",")' "$BODY_FILE")" "OrchestratorStarted,ExecutionStarted" "… in order, replay markers included"
is "$(jq -r '[.events[] | select(.EventType == "TaskScheduled")][0] | [.EventId, .Name] | join(" ")' "$BODY_FILE")" "0 send_approval_request" "… scheduled tasks with their EventId"
is "$(jq -r '[.events[] | select(.EventType == "TaskCompleted")][0] | (.TaskScheduledId == 0 and (.StartedTime | test("Z$")))' "$BODY_FILE")" "true" "… completions with TaskScheduledId and the attempt's StartedTime"
is "$(jq -r '[.events[] | select(.EventType == "TimerCreated")][0].FireAt | test("^[0-9]{4}-")' "$BODY_FILE")" "true" "… timers with FireAt"
total=$(jq .totalEvents "$BODY_FILE")
is "$(get "$H?instanceId=$RUN&skip=1&top=2")" 200 "skip and top"
is "$(jq -c '[.events[].Seq, .totalEvents == '"$total"', .matchedEvents == '"$total"']' "$BODY_FILE")" "[1,2,true,true]" "… page the events by Seq"
get "$H?instanceId=$RUN&type=TaskScheduled" >/dev/null
is "$(jq -c '[.matchedEvents, (.events | map(.EventType) | unique)]' "$BODY_FILE")" '[1,["TaskScheduled"]]' "type filters by event type"
get "$H?instanceId=$RUN&name=APPROVAL" >/dev/null
is "$(jq -c '[.events[].Name] | unique' "$BODY_FILE")" '["approval_workflow","send_approval_request"]' "name filters case-insensitively on a part of the name"
is "$(get "$H")" 400 "no instanceId: 400"
like "$(jq -r .Message "$BODY_FILE")" "instanceId" "… saying what is missing"
is "$(get "$H?instanceId=")" 400 "an empty instanceId: 400"
is "$(get "$H?instanceId=$RUN&skip=-1")" 400 "skip=-1: 400"
is "$(get "$H?instanceId=$RUN&top=ten")" 400 "top=ten: 400"
is "$(get "$H?instanceId=$RUN&type=Bogus")" 400 "an unknown event type: 400"
is "$(get "$H?instanceId=no-such-instance")" 404 "an unknown instance: 404"
is "$(get "$H?instanceId=%3Cscript%3E")" 404 "an id with markup: 404, nothing echoed"
is "$(get -X DELETE "$H?instanceId=$RUN")" 404 "DELETE history: 404 (read-only)"

# --- functions
F="$BASE/admin/host/functions"
is "$(get "$F")" 200 "GET /admin/host/functions: 200"
is "$(jq -r '[.workers.apps[].app] | index("durable_hello") != null' "$BODY_FILE")" "true" "… workers: each app's worker processes (the default)"
is "$(jq -c '.functions[] | select(.name == "http_start") | [.kind, .route, .methods, .authLevel, (.url | endswith("/api/orchestrators/{function_name}"))]' "$BODY_FILE")" \
	'["httpTrigger","orchestrators/{function_name}",["POST"],"anonymous",true]' "… an HTTP function with route, methods, auth level and URL"
is "$(jq -c '.functions[] | select(.name == "approval_workflow") | [.kind, .app, .route, .authLevel]' "$BODY_FILE")" \
	'["orchestrationTrigger","approval",null,null]' "… an orchestrator"
is "$(jq -r '[.functions[].name] == ([.functions[].name] | sort)' "$BODY_FILE")" "true" "… sorted by name"
is "$(get -X POST "$F")" 404 "POST: 404"
stop_host

# --- in process the host has no workers to show
start_host "$root" --in-process
ok $? "host starts with --in-process"
F="$BASE/admin/host/functions"
is "$(get "$F")" 200 "GET /admin/host/functions: 200"
is "$(jq -r '.workers' "$BODY_FILE")" "null" "… workers: null with --in-process"
is "$(jq -r '.functions | length > 0' "$BODY_FILE")" "true" "… the functions still listed"
stop_host

# --- keys on: files without a key, data with the master key only
start_host "$root" --enableAuth
ok $? "host starts with keys on"
D="$BASE/admin/dashboard"
is "$(get "$D/")" 200 "the page needs no key (it holds no data)"
is "$(get "$D/js/api.js")" 200 "nor its scripts"
is "$(get --path-as-is "$D/../host/status")" 404 "no keyless way to other /admin paths through the folder"
is "$(get --path-as-is "$D/%2e%2e/host/status")" 404 "… nor with %2e%2e"
if grep -q -- "$MASTER" "$BODY_FILE"; then ok 1 "no key in the files"; else ok 0 "no key in the files"; fi
for p in /admin/durable/counts "/admin/durable/history?instanceId=$RUN" /admin/durable/instances /admin/host/functions; do
	is "$(get "$BASE$p")" 401 "$p without a key: 401"
	is "$(get -H "x-functions-key: wrong" "$BASE$p")" 401 "… a wrong key: 401"
	is "$(get -H "x-functions-key: $SYSTEM" "$BASE$p")" 401 "… the durabletask_extension key: 401 (admin needs the master key)"
	is "$(get -H "x-functions-key: $MASTER" "$BASE$p")" 200 "… the master key: 200"
done
stop_host
done_testing
