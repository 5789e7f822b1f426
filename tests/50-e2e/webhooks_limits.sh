#!/bin/sh
# Durable management webhooks, size and text limits: listings stay small and
# fast beside a huge instance (payloads over 64 KiB shown as the status URL,
# a 4 MiB payload budget per page that skips nothing), large status-with-
# history responses are streamed and parse, and strings that are not UTF-8
# or too long (reasons, ids, event names) are a 400.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/webhooks.inc"
ABI="$CFUNC_BUILD/tests/20-abi"
APPS="[\"$ABI/webhook_app.so\", \"$ABI/webhook_big_app.so\", \"$ABI/testapp.so\"]"
make_root "$T_DIR/app" "$APPS" '"cfunc": { "apps": '"$APPS"', "limits": { "maxRequestLineBytes": 65536 } }'
start_host "$T_DIR/app"
ok $? "host starts"
W="$BASE/runtime/webhooks/durabletask"
TOKEN=x-ms-continuation-token

# wait_done <id>: polls (20 ms, at most 30 s) until Completed, without input.
wait_done() {
	_wd=0
	while [ $_wd -lt 1500 ]; do
		[ "$(curl -s --max-time 5 "$W/instances/$1?showInput=false" | jq -r .runtimeStatus 2>/dev/null)" = Completed ] && return 0
		sleep 0.02
		_wd=$((_wd + 1))
	done
	return 1
}
# ms <curl args...>: the request's total time in milliseconds (body in $BODY_FILE).
ms() { curl -s -D "$HDRS" -o "$BODY_FILE" -w '%{time_total}' --max-time 30 "$@" | awk '{ printf "%d", $1 * 1000 }'; }

# --- listing beside a 5 MB instance ----------------------------------------
big="$T_DIR/big.json"
awk 'BEGIN { printf "["; for (i = 0; i < 700000; i++) printf "%s%d", (i ? "," : ""), 1000000 + i; printf "]" }' >"$big"
is "$(req -X POST -H 'Content-Type: application/json' --data-binary @"$big" "$W/orchestrators/wh_noop/huge")" 202 \
	"start an instance with a $(($(wc -c <"$big") / 1048576)) MB input"
for n in 1 2 3; do start wh_noop "small-$n" "{\"n\":$n}" >/dev/null; done
wait_done huge && wait_done small-3
ok $? "they complete"
t=$(ms "$W/instances")
is "$(jb length)" 4 "the listing has all four instances"
size=$(wc -c <"$BODY_FILE")
ok "$([ "$size" -lt 8192 ] && echo 0 || echo 1)" "… and stays small: $size bytes"
ok "$([ "$t" -lt 2000 ] && echo 0 || echo 1)" "… and fast: $t ms"
url=$(jb '.[] | select(.instanceId == "huge") | .input')
like "$url" "^$BASE/runtime/webhooks/durabletask/instances/huge\\?taskHub=" \
	"the 5 MB input is shown as the instance's status URL"
is "$(jb '.[] | select(.instanceId == "huge") | .output')" "$url" "… and so is its 5 MB output"
is "$(jc '.[] | select(.instanceId == "small-2") | .input')" '{"n":2}' "small inputs are listed as they are"
is "$(req "$url")" 200 "that URL answers"
is "$(jb '.input | length')" 700000 "… with the whole input"
is "$(hdr Transfer-Encoding)" chunked "… streamed, for its megabytes of payloads"
req "$W/instances/small-1" >/dev/null
ok "$(has_hdr Content-Length && echo 0 || echo 1)" "a small status keeps a plain body (Content-Length)"
req "$W/instances?showInput=false" >/dev/null
is "$(jc '[.[] | select(.instanceId == "huge") | .input, (.output | type)]')" '[null,"string"]' \
	"showInput=false: input null, the large output still the URL"

# --- the page budget: 40 instances of ~120 KB of payloads each -------------
mid="$T_DIR/mid.json"
awk 'BEGIN { printf "\""; for (i = 0; i < 60000; i++) printf "x"; printf "\"" }' >"$mid"
i=0
while [ $i -lt 40 ]; do
	req -X POST -H 'Content-Type: application/json' --data-binary @"$mid" "$W/orchestrators/wh_noop/mid-$(printf '%02d' $i)" >/dev/null
	i=$((i + 1))
done
wait_done mid-39
ok $? "40 instances with 60 KB inputs and outputs complete"
req "$W/instances?instanceIdPrefix=mid-&top=100" >/dev/null
first=$(jb length)
ok "$([ "$first" -gt 0 ] && [ "$first" -lt 40 ] && echo 0 || echo 1)" \
	"a page ends at the 4 MiB budget, before top: $first of 40"
ok "$([ -n "$(hdr $TOKEN)" ] && echo 0 || echo 1)" "… with a continuation token"
is "$(jb '.[0].input | length')" 60000 "… and payloads under 64 KiB in full"
seen=$(jb '.[].instanceId')
tok=$(hdr $TOKEN)
pages=1
while [ -n "$tok" ] && [ $pages -lt 20 ]; do
	req -H "$TOKEN: $tok" "$W/instances?instanceIdPrefix=mid-&top=100" >/dev/null
	seen="$seen
$(jb '.[].instanceId')"
	tok=$(hdr $TOKEN)
	pages=$((pages + 1))
done
is "$(printf '%s\n' "$seen" | grep -c .)" 40 "following the tokens lists 40 instances in $pages pages"
is "$(printf '%s\n' "$seen" | grep . | sort -u | wc -l | tr -d ' ')" 40 "… each once"

# --- streamed status with history -----------------------------------------
is "$(start wh_many many 600)" many "an orchestration fanning out 600 activities"
start wh_many few 3 >/dev/null
wait_done many && wait_done few
ok $? "both complete"
is "$(req "$W/instances/many?showHistory=true&showHistoryOutput=true")" 200 "GET status with history of 1,200+ events: 200"
is "$(hdr Transfer-Encoding)" chunked "… streamed (chunked)"
ok "$(has_hdr Content-Length && echo 1 || echo 0)" "… without a Content-Length"
is "$(hdr Content-Type)" "application/json; charset=utf-8" "… JSON"
is "$(jb '.historyEvents | length')" 602 "… parses, with 602 events (start, 600 merged completions, end)"
is "$(jb '[.historyEvents[] | select(.EventType == "TaskCompleted" and .FunctionName == "wh_echo")] | length')" 600 \
	"… every completion merged with its scheduled activity"
is "$(jc '.output | length')" 600 "… and the output is there"
is "$(jq -c . "$BODY_FILE")" "$(cat "$BODY_FILE")" "… as compact JSON, like the unstreamed answer"
req "$W/instances/few?showHistory=true&showHistoryOutput=true" >/dev/null
ok "$(has_hdr Content-Length && echo 0 || echo 1)" "a short history keeps a plain body (Content-Length)"
is "$(jb '.historyEvents | length')" 5 "… with 5 events"
is "$(req "$W/instances/huge?showHistory=true&showHistoryOutput=true")" 200 "the 5 MB instance with history: 200"
is "$(hdr Transfer-Encoding)" chunked "… streamed"
is "$(jb '[.input, .output, .historyEvents[-1].Result] | map(length)')" "$(printf '[\n  700000,\n  700000,\n  700000\n]')" \
	"… with its input, output and result whole"
# A client that leaves mid-stream: the host frees the stream and goes on.
curl -s -o /dev/null --limit-rate 20k --max-time 1 "$W/instances/huge?showHistory=true&showHistoryOutput=true"
is "$(req "$W/instances/few")" 200 "after a client left mid-stream the host still answers"

# --- strings that are not UTF-8 or too long --------------------------------
start wh_wait w1 >/dev/null
for op in terminate suspend resume rewind; do
	is "$(req -X POST "$W/instances/w1/$op?reason=caf%E9")" 400 "$op with a reason that is not UTF-8: 400"
done
is "$(jb .ExceptionMessage)" "reason is not valid UTF-8" "… saying why"
is "$(jb .Message)" "One or more of the arguments submitted is incorrect" "… in the usual error body"
is "$(req -X DELETE "$W/instances/a%FFb")" 400 "purge of an id that is not UTF-8: 400"
is "$(jb .ExceptionMessage)" "instance id is not valid UTF-8" "… saying why"
is "$(req -X DELETE "$W/instances/no-such-id")" 404 "purge of an unknown UTF-8 id: still 404"
is "$(req -X POST "$W/instances/a%FFb/terminate")" 400 "terminate of an id that is not UTF-8: 400"
is "$(req -X POST -H 'Content-Type: application/json' -d 1 "$W/instances/a%FFb/raiseEvent/go")" 400 \
	"raise to an id that is not UTF-8: 400"
is "$(req -X POST "$W/instances/a%FFb/nosuchop")" 404 "an unknown operation stays 404 whatever the id"
is "$(req "$W/instances/a%FFb")" 404 "GET status of an id that is not UTF-8: 404 (never 400, as the spec says)"
n256=$(awk 'BEGIN { for (i = 0; i < 256; i++) printf "e" }')
is "$(req -X POST -H 'Content-Type: application/json' -d 1 "$W/instances/w1/raiseEvent/$n256")" 202 "a 256-character event name: 202"
is "$(req -X POST -H 'Content-Type: application/json' -d 1 "$W/instances/w1/raiseEvent/${n256}e")" 400 "257 characters: 400"
is "$(jb .ExceptionMessage)" "event name is longer than 256 characters" "… saying why"
smile=$(awk 'BEGIN { for (i = 0; i < 128; i++) printf "%%F0%%9F%%98%%80" }')
is "$(req -X POST -H 'Content-Type: application/json' -d 1 "$W/instances/w1/raiseEvent/$smile")" 202 \
	"128 emoji (256 UTF-16 units): 202"
is "$(req -X POST -H 'Content-Type: application/json' -d 1 "$W/instances/w1/raiseEvent/${smile}%F0%9F%98%80")" 400 \
	"129 emoji (258 units): 400"
is "$(req -X POST -H 'Content-Type: application/json' -d 1 "$W/instances/nobody/raiseEvent/${n256}e")" 404 \
	"a too-long name for an unknown instance: 404 (existence is checked first)"
is "$(req -X POST "$W/orchestrators/wh_noop?taskHub=hub%FF")" 400 "start in a task hub named with bytes that are not UTF-8: 400"
like "$(jb .ExceptionMessage)" "hub.* is not served by this host" "… and the message quoting it is kept (U+FFFD for the bad byte)"
is "$(req -X POST "$W/orchestrators/no%FFsuch")" 400 "start of a function named with bytes that are not UTF-8: 400"
like "$(jb .ExceptionMessage)" "doesn't exist" "… with its message"
# The durable client (cf_durable_raise_event from an HTTP function).
is "$(http -X POST -d '{}' "$BASE/api/test/start/test_waiter/cw1")" 202 "a waiter for the durable client"
is "$(http -X POST -d 1 "$BASE/api/test/raise/cw1/$n256")" 202 "cf_durable_raise_event, 256 characters: accepted"
is "$(http -X POST -d 1 "$BASE/api/test/raise/cw1/${n256}e")" 400 "… 257 characters: CF_E_INVALID"
like "$(body)" "longer than 256 characters" "… saying why"
is "$(http -X POST -d 1 "$BASE/api/test/raise/cw1/bad%FFname")" 400 "… a name that is not UTF-8: CF_E_INVALID"
is "$(http "$W/instances/cw1")" 202 "the waiter is still waiting"

stop_host
is "$HOST_RC" 0 "host stops cleanly"
done_testing
