#!/bin/sh
# cfunc.limits.maxInFlightBytes: request bodies (h2o's buffer and the copy a
# function gets) and responses held at once are capped host-wide. Beyond it a
# request gets 503 with Retry-After and its connection closed, the host's
# memory stays bounded, and a client sending small requests meanwhile is
# served as usual.
. "$(dirname "$0")/../lib.sh"
ABI="$CFUNC_BUILD/tests/20-abi"
HC="$T_DIR/hostile_client"
${CC:-cc} -std=c11 -O1 -o "$HC" "$CFUNC_ROOT/tests/50-e2e/clients/hostile_client.c"
ok $? "the hostile client builds"

# Under AddressSanitizer freed memory waits in a quarantine (256 MB by
# default) and would count as held: keep it small for these hosts.
if ldd "$CFUNC" 2>/dev/null | grep -q libasan; then
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4:thread_local_quarantine_size_kb=64"
	export ASAN_OPTIONS
fi

hwm_kb() { sed -n 's/^VmHWM:[^0-9]*\([0-9]*\) kB/\1/p' "/proc/$HOST_PID/status"; }

# A tiny cap: what a refusal looks like, and that small bodies always pass.
root="$T_DIR/tiny"
make_root "$root" "[\"$ABI/testapp.so\"]" \
	'"cfunc": { "apps": ["'"$ABI/testapp.so"'"], "limits": { "maxInFlightBytes": 100000 } }'
start_host "$root"
ok $? "host starts with maxInFlightBytes 100000"
head -c 200000 /dev/zero | tr '\0' 'a' >"$T_DIR/200k"
head -c 20000 /dev/zero | tr '\0' 'a' >"$T_DIR/20k"
curl -s -D "$T_DIR/h" -o "$BODY_FILE" -w '%{http_code}' --max-time 20 --data-binary @"$T_DIR/200k" \
	"$BASE/api/echo/big" >"$T_DIR/code"
is "$(cat "$T_DIR/code")" "503" "a 200 kB body over a 100 kB cap gets 503"
like "$(tr -d '\r' <"$T_DIR/h")" "Retry-After: 1" "with Retry-After"
like "$(tr -d '\r' <"$T_DIR/h")" "[Cc]onnection: close" "and the connection closed"
like "$(body)" '^\{"Message":"The host holds too many request and response bytes; retry later\."\}$' "a short JSON body"
is "$(http -H 'Transfer-Encoding: chunked' --data-binary @"$T_DIR/200k" "$BASE/api/echo/big")" "503" \
	"a chunked body over the cap too"
is "$(http --data-binary @"$T_DIR/20k" "$BASE/api/echo/small")" "200" "a 20 kB body is served (small ones always are)"
like "$(body)" "body_len=20000" "whole"
out=$(bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$PORT"'; printf "POST /api/echo/huge HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 200000000\r\n\r\n" >&3; timeout 5 cat <&3' | tr -d '\r')
like "$out" "^HTTP/1.1 413 " "a body announced over maxRequestBodyBytes is still 413, not 503"
is "$(printf '%s\n' "$out" | grep -c '^HTTP/1.1 ')" "1" "with nothing after it"
is "$(http "$BASE/api/echo/after")" "200" "the host still serves"
like "$(cat "$HOST_LOG")" "Refused [0-9]+ request\(s\) with 503: .*cfunc.limits.maxInFlightBytes \(100000\)" \
	"the refusal is logged, naming the setting"
stop_host
is "$HOST_RC" "0" "clean shutdown"

# 8 clients at once from 127.0.0.2, each POSTing 25 MB, 6 rounds, against a
# 64 MB cap (each body counts twice: one fits at a time). Without the cap
# the host's peak memory grows by ~250 MB here.
root="$T_DIR/cap"
make_root "$root" "[\"$ABI/testapp.so\"]" \
	'"cfunc": { "apps": ["'"$ABI/testapp.so"'"], "limits": { "maxInFlightBytes": 67108864, "maxRequestBodyBytes": 41943040 } }'
start_host "$root"
ok $? "host starts with maxInFlightBytes 64 MB"
is "$(http "$BASE/api/echo/warm")" "200" "warm"
before=$(hwm_kb)

# The control client: 40 small requests from 127.0.0.1 during the attack.
(
	i=0
	while [ $i -lt 40 ]; do
		curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --max-time 10 "$BASE/api/echo/ctl$i"
		i=$((i + 1))
	done >"$T_DIR/control"
) &
control=$!
"$HC" bodies 127.0.0.2 "$PORT" /admin/host/ping 8 25000000 6 40 >"$T_DIR/attack"
wait $control
after=$(hwm_kb)
attack=$(cat "$T_DIR/attack")
echo "# attack: $attack; VmHWM ${before} kB -> ${after} kB"
like "$attack" " 503=([1-9][0-9]+|[1-9]) " "bodies over the cap get 503"
like "$attack" " 200=[1-9]" "bodies within the cap are still served"
like "$attack" " other=0 unanswered=0$" "every hostile request got one of the two answers"
grown=$(((after - before) / 1024))
ok "$([ "$grown" -lt 112 ]; echo $?)" "peak memory grew by ${grown} MB (< 64 MB cap + 48 MB)"
is "$(grep -c '^200 ' "$T_DIR/control")" "40" "the control client's 40 requests all succeeded"
slowest=$(sort -k2 -n "$T_DIR/control" | tail -1 | cut -d' ' -f2)
echo "# control: slowest request ${slowest} s"
ok "$(awk -v t="$slowest" 'BEGIN { exit !(t < 1.0) }'; echo $?)" "and none took a second (slowest ${slowest} s)"
is "$(http "$BASE/api/echo/after")" "200" "the host still serves"
stop_host
is "$HOST_RC" "0" "clean shutdown"
done_testing
