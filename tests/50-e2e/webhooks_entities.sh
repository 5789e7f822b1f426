#!/bin/sh
# The entity endpoints of /runtime/webhooks/durabletask (durable-http-api §5
# and the research notes' additions): read state, signal, delete, list with
# fetchState, time filters, top and continuation tokens; every bad input.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/webhooks.inc"
S="$CFUNC_BUILD/samples"
root="$T_DIR/app"
make_root "$root" "[\"$S/durable_hello.so\", \"$S/entities.so\"]"
start_host "$root"
ok $? "host starts"
W="$BASE/runtime/webhooks/durabletask"
E="$W/entities"

# poll_get <url> <want status> [want body]: GETs until it matches (10 s).
poll_get() {
	_i=0
	while [ $_i -lt 200 ]; do
		CODE=$(req "$1")
		if [ "$CODE" = "$2" ] && { [ -z "${3+x}" ] || [ "$(body)" = "$3" ]; }; then
			return 0
		fi
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}
json_post() { req -X POST -H 'Content-Type: application/json' -d "$2" "$1"; }

# --- read state (§5.1)
CODE=$(req "$E/counter/never")
is "$CODE" "404" "GET of an entity never signalled: 404"
is "$(body)" "" "with an empty body"
CODE=$(json_post "$E/counter/a?op=add" 3)
is "$CODE" "202" "POST ?op=add with a JSON body: 202"
is "$(body)" "" "empty body"
has_hdr Content-Type
is $? 1 "and no Content-Type"
poll_get "$E/counter/a" 200 3
ok $? "GET returns the state"
like "$(hdr Content-Type)" "^application/json; charset=utf-8$" "as JSON"
CODE=$(json_post "$E/CoUnTeR/a?op=add" 1)
poll_get "$E/counter/a" 200 4
ok $? "entity names are case-insensitive"
CODE=$(req "$E/COUNTER/a")
is "$CODE:$(body)" "200:4" "on GET too"
CODE=$(req "$E/counter/A")
is "$CODE" "404" "keys are case-sensitive"
CODE=$(req "$E/counter/a?taskHub=OtherHub")
is "$CODE" "404" "another task hub has no such entity"
CODE=$(req "$E/nosuchfunction/a")
is "$CODE" "404" "GET does not check the entity function exists"

# --- empty key and '$'
CODE=$(json_post "$E/counter?op=add" 7)
is "$CODE" "202" "POST without a key segment: the empty key"
poll_get "$E/counter/\$" 200 7
ok $? "GET entities/counter/\$ reads the empty key"
CODE=$(json_post "$E/counter/\$?op=add" 9)
is "$CODE" "202" "POST to key '\$' is the literal key"
sleep_until_listed() {
	_i=0
	while [ $_i -lt 200 ]; do
		curl -s "$E/counter?fetchState=true&top=1000" | jq -e "$1" >/dev/null && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}
sleep_until_listed '[.[] | select(.entityId.key == "$")] | .[0].state == 9'
ok $? "which the listing shows as key \"\$\" with its own state"
CODE=$(req "$E/counter/\$")
is "$(body)" "7" "while GET \$ stays the empty key"

# --- bodies (§5.2)
CODE=$(req -X POST -H 'Content-Type: text/plain' --data-binary 'hello world' "$E/counter/text?op=set")
is "$CODE" "202" "a text/plain body"
poll_get "$E/counter/text" 200 '"hello world"'
ok $? "becomes a JSON string input"
CODE=$(req -X POST --data-binary '{"a":1}' -H 'Content-Type: application/x-www-form-urlencoded' "$E/counter/form?op=set")
poll_get "$E/counter/form" 200 '"{\"a\":1}"'
ok $? "any media type but JSON: the raw text as a string"
CODE=$(req -X POST -H 'Content-Type: application/json; charset=utf-8' -d '{"a":[1,2]}' "$E/counter/obj?op=set")
poll_get "$E/counter/obj" 200 '{"a":[1,2]}'
ok $? "application/json with parameters is parsed"
CODE=$(req -X POST "$E/counter/noinput?op=set")
poll_get "$E/counter/noinput" 200 'null'
ok $? "an empty body is no input"
CODE=$(json_post "$E/counter/a?op=add" '{bad')
is "$CODE" "400" "bad JSON: 400"
like "$(body | jq -r .Message)" "^Could not parse JSON content: " "Could not parse JSON content"
CODE=$(req -X POST -H 'Content-Type: text/plain' --data-binary "$(printf '\377\376')" "$E/counter/a?op=set")
is "$CODE" "400" "a text body that is not UTF-8: 400"

# --- op
CODE=$(req -X POST "$E/counter/a")
is "$CODE" "202" "no op: the empty operation name is sent"
CODE=$(req -X POST "$E/counter/a?op=add")
poll_get "$E/counter/a" 200 5
ok $? "the failed '' operation changed nothing; the next add ran"

# --- bad names and keys
CODE=$(req -X POST "$E?op=add")
is "$CODE" "400" "POST entities without a name: 400"
like "$(body | jq -r .Message)" "^Invalid entity id: entity name must not be a null or empty string" "names the problem"
CODE=$(req -X DELETE "$E/")
is "$CODE" "400" "DELETE entities/ without a name: 400"
CODE=$(req -X POST "$E/nosuch/a?op=add")
is "$CODE" "400" "unknown entity function: 400 (not 404)"
like "$(body | jq -r .Message)" "The function 'nosuch' doesn't exist, is disabled, or is not an entity function" "the extension's message"
CODE=$(req -X POST "$E/hello_sequence/a?op=add")
is "$CODE" "400" "an orchestrator is not an entity"
CODE=$(req -X POST "$E/counter/a%2Fb?op=add")
is "$CODE" "400" "a key with '/': 400"
like "$(body | jq -r .Message)" "^Invalid entity id: entity key must not contain" "says why"
CODE=$(req -X POST "$E/counter/a%23b?op=add")
is "$CODE" "400" "a key with '#': 400"
long=$(printf 'k%.0s' $(seq 1 201))
CODE=$(req -X POST "$E/counter/$long?op=add")
is "$CODE" "400" "a key over 200 bytes: 400"
CODE=$(req -X POST "$E/9bad/a?op=add")
is "$CODE" "400" "a name that is not a function name: 400"
CODE=$(req -X POST "$E/counter/a?op=add&taskHub=OtherHub")
is "$CODE" "404" "POST to another task hub: 404"
CODE=$(req -X PUT "$E/counter/a")
is "$CODE" "404" "PUT: 404"
CODE=$(req "$E/counter/a/extra")
is "$CODE" "404" "an extra segment: 404"
CODE=$(req -X POST "$E/counter/%zz?op=add")
is "$CODE" "400" "malformed percent-encoding: 400"

# --- delete (§5.2): the operation "delete"
CODE=$(req -X DELETE "$E/counter/text")
is "$CODE" "202" "DELETE: 202"
poll_get "$E/counter/text" 404
ok $? "the entity's delete operation removed it"

# --- listing (§5.3)
for k in l1 l2 l3 l4 l5; do json_post "$E/sum/$k?op=add" 2 >/dev/null; done
poll_get "$E/sum/l5" 200 2
CODE=$(req "$E/sum")
is "$CODE" "200" "GET entities/sum: 200"
is "$(body | jq -c '[.[].entityId.key]')" '["l1","l2","l3","l4","l5"]' "by key"
is "$(body | jq -c '.[0] | keys_unsorted')" '["entityId","lastOperationTime","state"]' "entityId, lastOperationTime, state"
is "$(body | jq -c '.[0].entityId | keys_unsorted')" '["name","key"]' "name before key"
is "$(body | jq -c '[.[].state] | unique')" '[null]' "state is null without fetchState"
like "$(body | jq -r '.[0].lastOperationTime')" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{7}Z$' "lastOperationTime in the round-trip form"
CODE=$(req "$E/SUM?fetchState=TRUE")
is "$(body | jq -c '[.[].state] | unique')" '[2]' "fetchState=true (any case) includes the state"
is "$(body | jq -r '.[0].entityId.name')" "sum" "names lower-cased in the output"
CODE=$(req "$E/sum?fetchState=1")
is "$(body | jq -c '[.[].state] | unique')" '[null]' "fetchState=1 is not a boolean: the default"
CODE=$(req "$E")
is "$(body | jq '[.[] | select(.entityId.name == "counter" and .entityId.key == "text")] | length')" "0" "deleted entities are not listed"
is "$(body | jq '[.[] | select(.entityId.name == "sum")] | length')" "5" "GET entities lists every name"
# top and continuation tokens
keys=""
tok=""
pages=0
while :; do
	if [ -n "$tok" ]; then CODE=$(req -H "x-ms-continuation-token: $tok" "$E/sum?top=2"); else CODE=$(req "$E/sum?top=2"); fi
	[ "$CODE" = 200 ] || break
	pages=$((pages + 1))
	[ "$(body | jq length)" -le 2 ] || break
	keys="$keys$(body | jq -r '[.[].entityId.key] | join(",")'),"
	tok=$(hdr x-ms-continuation-token)
	[ -z "$tok" ] && break
	[ $pages -gt 10 ] && break
done
is "$keys" "l1,l2,l3,l4,l5," "top=2 pages through all five, once each"
is "$pages" "3" "in three pages"
has_hdr x-ms-continuation-token
is $? 0 "the last page has an (empty) token header"
CODE=$(req -H "x-ms-continuation-token: garbage" "$E/sum")
is "$CODE" "400" "a token this host did not issue: 400"
CODE=$(req "$E/sum?top=abc")
is "$(body | jq length)" "5" "an invalid top is the default"
# time filters
future=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
past=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)
CODE=$(req "$E/sum?lastOperationTimeFrom=$future")
is "$(body)" "[]" "lastOperationTimeFrom in the future: none"
CODE=$(req "$E/sum?lastOperationTimeTo=$past")
is "$(body)" "[]" "lastOperationTimeTo in the past: none"
CODE=$(req "$E/sum?lastOperationTimeFrom=$past&lastOperationTimeTo=$future")
is "$(body | jq length)" "5" "a window around now: all"
CODE=$(req "$E/sum?lastOperationTimeFrom=yesterday")
is "$(body | jq length)" "5" "an unparseable time is no filter"
CODE=$(req "$E/nosuch")
is "$CODE:$(body)" "200:[]" "a name without entities: empty list"
CODE=$(req "$E/counter?taskHub=OtherHub")
is "$CODE:$(body)" "200:[]" "another task hub: empty list"

# --- entities are instances @name@key, but not in the instance listing
CODE=$(req "$W/instances/@sum@l1")
is "$(body | jq -c '{instanceId, customStatus}')" '{"instanceId":"@sum@l1","customStatus":{"entityExists":true,"queueSize":0,"lockedBy":null}}' "the entity instance's status"
CODE=$(req "$W/instances?top=1000")
is "$(body | jq '[.[] | select(.instanceId | startswith("@"))] | length')" "0" "GET instances leaves entities out"
CODE=$(req -X DELETE "$W/instances/%40sum%40l1")
is "$CODE" "200" "purging @sum@l1 removes the entity"
CODE=$(req "$E/sum/l1")
is "$CODE" "404" "gone"

done_testing
