#!/bin/sh
# GET /runtime/webhooks/durabletask/instances/{id}/history of a 10,000-event
# instance is streamed (chunked, built as the client reads) like a large
# status with history: the host's peak memory while a slow client reads it
# stays far below what building the answer whole took (a JSON tree and two
# copies of the text: 11 times the body), the bytes are those
# of the unstreamed answer (the CLI online, through the host, prints what it
# prints offline from the file), and a short history keeps a plain body.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/webhooks.inc"
ABI="$CFUNC_BUILD/tests/20-abi"
APPS="[\"$ABI/webhook_big_app.so\"]"
make_root "$T_DIR/app" "$APPS"
d() { (cd "$T_DIR/app" && "$CFUNC" durable "$@"); }

# Under AddressSanitizer freed memory waits in a quarantine and would count
# as held: keep it small for this host.
if ldd "$CFUNC" 2>/dev/null | grep -q libasan; then
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4:thread_local_quarantine_size_kb=64"
	export ASAN_OPTIONS
fi
start_host "$T_DIR/app"
ok $? "host starts"
W="$BASE/runtime/webhooks/durabletask"

# done_within <id> <seconds>: polls (50 ms) until Completed.
done_within() {
	_dw=0
	while [ $_dw -lt $(($2 * 20)) ]; do
		[ "$(curl -s --max-time 5 "$W/instances/$1?showInput=false" | jq -r .runtimeStatus 2>/dev/null)" = Completed ] && return 0
		sleep 0.05
		_dw=$((_dw + 1))
	done
	return 1
}

is "$(req -X POST -H 'Content-Type: application/json' -d 5000 "$W/orchestrators/wh_many/big")" 202 \
	"start an orchestration fanning out 5,000 activities"
req -X POST -H 'Content-Type: application/json' -d 3 "$W/orchestrators/wh_many/few" >/dev/null
done_within big 240 && done_within few 10
ok $? "both complete"

is "$(req "$W/instances/few/history")" 200 "a short history: 200"
ok "$(has_hdr Content-Length && echo 0 || echo 1)" "… with a plain body (Content-Length)"
few_n=$(jb length)

# A slow reader (1 MB/s) of the long one, with the host's peak RSS reset
# before it (VmHWM, /proc/PID/clear_refs).
hwm_kb() { awk '/^VmHWM/ { print $2 }' "/proc/$HOST_PID/status"; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$HOST_PID/status"; }
req "$W/instances/big/history" >/dev/null # warm the page cache and the arena
before=$(rss_kb)
echo 5 >"/proc/$HOST_PID/clear_refs"
code=$(curl -s -D "$HDRS" -o "$BODY_FILE" -w '%{http_code}' --max-time 60 --limit-rate 1M "$W/instances/big/history")
peak=$(($(hwm_kb) - before))
size=$(wc -c <"$BODY_FILE")
is "$code" 200 "GET history of the 5,000-activity instance: 200"
is "$(hdr Transfer-Encoding)" chunked "… streamed (chunked)"
ok "$(has_hdr Content-Length && echo 1 || echo 0)" "… without a Content-Length"
is "$(hdr Content-Type)" "application/json; charset=utf-8" "… JSON"
n=$(jb length)
ok "$([ "$n" -ge 10000 ]; echo $?)" "… parses, with $n events"
is "$(jb '[.[] | select(.EventType == "TaskCompleted")] | length')" 5000 "… 5,000 of them TaskCompleted"
is "$(jq -c . "$BODY_FILE")" "$(cat "$BODY_FILE")" "… as compact JSON, like the unstreamed answer"
echo "# body $size bytes, peak RSS above the idle host while it was read: $peak kB"
# Measured on the machine of BENCHMARKS.md: about 1.5 times the body
# streamed (the events read from the file), 11 times built whole.
ok "$([ "$peak" -lt $((6 * size / 1024)) ]; echo $?)" \
	"the host's peak memory while a slow client read it grew by less than 6 times the body ($peak kB < $((6 * size / 1024)) kB)"

online=$(d get-history --id big --json | md5sum)
is "$(curl -s --max-time 5 "$W/instances/few" | jq -r .runtimeStatus)" Completed "the host still answers"
stop_host
is "$(d get-history --id big --json | md5sum)" "$online" \
	"cfunc durable get-history --json prints the same bytes online (streamed) as offline (from the file)"
is "$(d get-history --id few --json | jq length)" "$few_n" "and the short one as many events as the host sent"

done_testing
