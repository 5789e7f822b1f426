#!/bin/sh
# Durable management webhooks, part 3: GET instances (filters, paging with
# x-ms-continuation-token) and DELETE instances (purge many).
# Spec: durable-http-api.md §1.2, §4.3, §4.5.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/webhooks.inc"

wh_start_host "$T_DIR/app"
ok $? "host starts"
TOKEN=x-ms-continuation-token

# 25 completed instances p-00..p-24 (their input is their number), 3 running
# ones w-0..w-2 and one failed, f-0.
i=0
while [ $i -lt 25 ]; do
	n=$(printf '%02d' $i)
	[ "$(start wh_noop "p-$n" "$i")" = "p-$n" ] || echo "# start p-$n failed"
	i=$((i + 1))
done
for n in 0 1 2; do start wh_wait "w-$n" >/dev/null; done
start wh_fail f-0 >/dev/null
# count <query>: number of items on the first page of GET instances?<query>.
count() {
	req "$W/instances?$1" >/dev/null
	jb length
}
_i=0
until [ "$(count 'instanceIdPrefix=p-&runtimeStatus=Completed')" = 25 ] && [ "$(count 'instanceIdPrefix=w-&runtimeStatus=Running')" = 3 ] &&
	[ "$(count 'runtimeStatus=Failed')" = 1 ] || [ $_i -ge 500 ]; do
	sleep 0.02
	_i=$((_i + 1))
done
ok "$([ $_i -lt 500 ]; echo $?)" "25 Completed, 3 Running and 1 Failed instance listed"

# --- the listing ------------------------------------------------------------------
is "$(req "$W/instances")" 200 "GET instances: 200"
is "$(hdr Content-Type)" "application/json; charset=utf-8" "… JSON"
is "$(jb length)" 29 "… every instance"
is "$(jb '[.[].instanceId] == ([.[].instanceId] | sort)')" "true" "… ordered by instance id"
is "$(jb '[.[] | has("historyEvents")] | any')" "false" "… never historyEvents"
is "$(jb '.[0] | keys_unsorted | join(",")')" "name,instanceId,runtimeStatus,input,customStatus,output,createdTime,lastUpdatedTime" "… status objects"
ok "$(has_hdr $TOKEN; echo $?)" "the single page carries the token header"
is "$(hdr $TOKEN)" "" "… with an empty value"
is "$(req "$W/instances/")" 200 "GET instances/: 200"
is "$(jb length)" 29 "… the same listing"
is "$(req "$W/instances?showHistory=true&showHistoryOutput=true")" 200 "showHistory is ignored in listings"
is "$(jb '[.[] | has("historyEvents")] | any')" "false" "… no historyEvents"
is "$(count 'instanceIdPrefix=p-1')" 10 "instanceIdPrefix=p-1"
is "$(count 'instanceIdPrefix=P-')" 0 "instanceIdPrefix is case-sensitive"
is "$(count 'instanceIdPrefix=')" 29 "empty instanceIdPrefix: no filter"
req "$W/instances?instanceIdPrefix=p-0&showInput=false" >/dev/null
is "$(jc '[.[].input] | unique')" "[null]" "showInput=false -> input null"
req "$W/instances?instanceIdPrefix=p-0" >/dev/null
is "$(jc '[.[].input]')" "[0,1,2,3,4,5,6,7,8,9]" "inputs shown by default"

# runtimeStatus: names (case-sensitive), numbers, lists, repeats
is "$(count 'runtimeStatus=Running')" 3 "runtimeStatus=Running"
is "$(count 'runtimeStatus=Completed,Failed')" 26 "comma-separated statuses"
is "$(count 'runtimeStatus=Running&runtimeStatus=Failed')" 4 "repeated runtimeStatus"
is "$(count 'runtimeStatus=Running,Failed&runtimeStatus=Completed')" 29 "comma list and repeat together"
is "$(count 'runtimeStatus=%20Running%20,%20Failed')" 4 "blanks around tokens are ignored"
is "$(count 'runtimeStatus=0')" 3 "numeric status 0 = Running"
is "$(count 'runtimeStatus=3')" 1 "numeric status 3 = Failed"
is "$(count 'runtimeStatus=running')" 29 "lower-case 'running' is dropped: no filter"
is "$(count 'runtimeStatus=Bogus,Failed')" 1 "unknown tokens are dropped"
is "$(count 'runtimeStatus=42')" 29 "out-of-range numbers are dropped"
is "$(count 'RUNTIMESTATUS=Failed')" 1 "parameter names are case-insensitive"
is "$(count 'runtimeStatus=Pending')" 0 "nothing Pending"

# created time
is "$(count 'createdTimeFrom=2000-01-01T00:00:00Z')" 29 "createdTimeFrom in the past"
is "$(count 'createdTimeFrom=2999-01-01T00:00:00Z')" 0 "createdTimeFrom in the future"
is "$(count 'createdTimeTo=2000-01-01')" 0 "createdTimeTo in the past (date only)"
is "$(count 'createdTimeFrom=2000-01-01T00:00:00.1234567%2B02:00&createdTimeTo=2999-12-31T23:59:59Z')" 29 "both bounds, fraction and offset"
is "$(count 'createdTimeTo=2000-01-01T00:00:00+00:00')" 0 "an unencoded '+' offset still parses"
is "$(count 'createdTimeFrom=notadate')" 29 "a bad createdTimeFrom is not applied (no 400)"
is "$(count 'createdTimeTo=2024-13-45')" 29 "a bad createdTimeTo is not applied"
created=$(req "$W/instances/p-00" >/dev/null; jb .createdTime)
is "$(count "instanceIdPrefix=p-&createdTimeFrom=$created")" 25 "createdTimeFrom = the displayed createdTime of the first one"

# top
is "$(count 'top=3')" 3 "top=3"
is "$(count 'top=0')" 29 "top=0 -> default"
is "$(count 'top=-5')" 29 "negative top -> default"
is "$(count 'top=abc')" 29 "non-numeric top -> default"
is "$(count 'top=99999999999')" 29 "huge top: capped, still everything here"

# --- paging: 25 instances, top=7 --------------------------------------------
: >"$T_DIR/seen"
tok=""
pages=""
p=0
while [ $p -lt 10 ]; do
	code=$(req -H "$TOKEN: $tok" "$W/instances?instanceIdPrefix=p-&top=7")
	[ "$code" = 200 ] || break
	pages="$pages$(jb length),"
	jb '.[].instanceId' >>"$T_DIR/seen"
	has_hdr $TOKEN || { pages="${pages}noheader"; break; }
	tok=$(hdr $TOKEN)
	[ -z "$tok" ] && break
	p=$((p + 1))
done
is "$pages" "7,7,7,4," "pages of 7, 7, 7, 4; the last one with an empty token"
is "$(wc -l <"$T_DIR/seen" | tr -d ' ')" 25 "25 ids seen"
is "$(sort -u "$T_DIR/seen" | wc -l | tr -d ' ')" 25 "… each exactly once"
is "$(sort "$T_DIR/seen" | tr '\n' ' ')" "$(tr '\n' ' ' <"$T_DIR/seen")" "… in id order across pages"

# a token is opaque, reusable, and continues after a purged id
req "$W/instances?instanceIdPrefix=p-&top=5" >/dev/null
t1=$(hdr $TOKEN)
like "$t1" '^[A-Za-z0-9_-]+$' "tokens are base64url"
req -H "$TOKEN: $t1" "$W/instances?instanceIdPrefix=p-&top=2" >/dev/null
is "$(jc '[.[].instanceId]')" '["p-05","p-06"]' "the token continues after the last id of its page"
req -H "$TOKEN: $t1" "$W/instances?instanceIdPrefix=p-&top=2" >/dev/null
is "$(jc '[.[].instanceId]')" '["p-05","p-06"]' "… and can be used twice"
req -X DELETE "$W/instances/p-04" >/dev/null
req -H "$TOKEN: $t1" "$W/instances?instanceIdPrefix=p-&top=2" >/dev/null
is "$(jc '[.[].instanceId]')" '["p-05","p-06"]' "… even after its last id was purged"

# tokens never issued
is "$(req -H "$TOKEN: garbage" "$W/instances")" 400 "a token never issued: 400"
is "$(jb .ExceptionType)" "System.ArgumentException" "… ArgumentException"
like "$(jb .ExceptionMessage)" "not issued by this host" "… says what is wrong"
bad=$(printf '%s' "$t1" | sed 's/.$//')
is "$(req -H "$TOKEN: $bad" "$W/instances")" 400 "a truncated token: 400"
forged=$(printf '\001%016dp-20' 0 | base64 | tr '+/' '-_' | tr -d '=\n')
is "$(req -H "$TOKEN: $forged" "$W/instances")" 400 "a well-formed but forged token: 400"
is "$(req -H "$TOKEN: null" "$W/instances?instanceIdPrefix=p-&top=3")" 200 "token 'null' = first page"
is "$(jb '.[0].instanceId')" "p-00" "… from the start"
is "$(req -H "$TOKEN;" "$W/instances?instanceIdPrefix=p-&top=3")" 200 "an empty token = first page"
is "$(jb '.[0].instanceId')" "p-00" "… from the start"
is "$(req -H "$TOKEN: garbage" "$W/instances?taskHub=Other")" 400 "tokens are checked for other hubs too"

# --- purge many (§4.5) ----------------------------------------------------------
is "$(req -X DELETE "$W/instances")" 400 "purge many without createdTimeFrom: 400"
is "$(body)" "\"Please provide value for 'createdTimeFrom' parameter.\"" "… the bare JSON string body"
is "$(hdr Content-Type)" "application/json; charset=utf-8" "… JSON"
is "$(req -X DELETE "$W/instances?createdTimeFrom=yesterday")" 400 "unparseable createdTimeFrom: 400"
is "$(req -X DELETE "$W/instances/?createdTimeFrom=2000-01-01&runtimeStatus=Running")" 404 "purge with only non-terminal statuses: 404"
ok "$([ ! -s "$BODY_FILE" ]; echo $?)" "… empty body"
is "$(count 'runtimeStatus=Running')" 3 "… running instances untouched"
is "$(req -X DELETE "$W/instances?createdTimeFrom=2999-01-01T00:00:00Z")" 404 "nothing created in range: 404"
is "$(req -X DELETE "$W/instances?createdTimeFrom=2000-01-01&createdTimeTo=2001-01-01")" 404 "createdTimeTo in the past: 404"
is "$(req -X DELETE "$W/instances?createdTimeFrom=2000-01-01&taskHub=OtherHub")" 404 "another hub: 404"
is "$(req -X DELETE "$W/instances?createdTimeFrom=2000-01-01&runtimeStatus=Failed,Running")" 200 "purge Failed (Running dropped): 200"
is "$(body)" '{"instancesDeleted":1}' "… one deleted"
is "$(req -X DELETE "$W/instances?createdTimeFrom=2000-01-01T00:00:00Z&instanceIdPrefix=zzz")" 200 "purge the rest; instanceIdPrefix is ignored"
is "$(body)" '{"instancesDeleted":24}' "… the 24 remaining completed instances"
is "$(count '')" 3 "only the running instances are left"
is "$(count 'runtimeStatus=Running')" 3 "… still Running"
is "$(req -X DELETE "$W/instances?createdTimeFrom=2000-01-01")" 404 "nothing left to purge: 404"
is "$(start wh_noop p-00 '"again"')" p-00 "a purged id can be started again"

stop_host TERM
is "$HOST_RC" 0 "host stops cleanly"
done_testing
