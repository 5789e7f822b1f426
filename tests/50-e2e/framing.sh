#!/bin/sh
# Body framing (RFC 9112 section 6.3): a request whose head gives two
# Content-Length fields, or Content-Length with Transfer-Encoding, gets 400
# and its connection is closed, so bytes after it are never read as a
# second request (request smuggling). Single, well-framed bodies still work.
. "$(dirname "$0")/../lib.sh"
ABI="$CFUNC_BUILD/tests/20-abi"
root="$T_DIR/framing"
make_root "$root" "[\"$ABI/testapp.so\"]"
start_host "$root"
ok $? "host starts"

# raw <printf format>: sends the bytes on one connection with one write (the
# host may close right after its answer), prints everything the host
# answers until it closes the connection (5 s at most); the line "TIMEOUT"
# if it never did.
raw() {
	printf '%b' "$1" >"$T_DIR/request"
	bash -c 'trap "" PIPE; exec 3<>/dev/tcp/127.0.0.1/'"$PORT"'; cat "$1" >&3; timeout 5 cat <&3 || echo TIMEOUT' _ "$T_DIR/request" | tr -d '\r'
}
SMUGGLED='GET /api/echo/smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'

out=$(raw 'POST /api/echo/a HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nContent-Length: 50\r\n\r\nhello'"$SMUGGLED")
like "$out" "^HTTP/1.1 400 " "two different Content-Length values: 400"
like "$out" "conflicting Content-Length / Transfer-Encoding" "with a reason"
is "$(printf '%s\n' "$out" | grep -c '^HTTP/1.1 ')" "1" "one answer: the bytes after it are not read as a request"
ok "$(! printf '%s' "$out" | grep -q 'TIMEOUT\|X-Echo\|smuggled'; echo $?)" "and the connection is closed, the function never ran"

out=$(raw 'POST /api/echo/a HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello'"$SMUGGLED")
like "$out" "^HTTP/1.1 400 " "two equal Content-Length values: 400 too"
is "$(printf '%s\n' "$out" | grep -c '^HTTP/1.1 ')" "1" "and closed"

out=$(raw 'POST /api/echo/a HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 40\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'"$SMUGGLED")
like "$out" "^HTTP/1.1 400 " "Content-Length with Transfer-Encoding: 400"
is "$(printf '%s\n' "$out" | grep -c '^HTTP/1.1 ')" "1" "and closed"

out=$(raw 'POST /api/echo/a HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n5\r\nhello\r\n0\r\n\r\n'"$SMUGGLED")
like "$out" "^HTTP/1.1 400 " "Transfer-Encoding before Content-Length: 400"

out=$(raw 'POST /api/echo/a HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-length: 5\r\nCONTENT-LENGTH: 6\r\n\r\nhello!')
like "$out" "^HTTP/1.1 400 " "names in any case"

out=$(raw 'POST /api/echo/a HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello')
like "$out" "^HTTP/1.1 200 " "one Content-Length: served"
like "$out" "body_len=5" "the whole body"

out=$(raw 'POST /api/echo/a HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n')
like "$out" "^HTTP/1.1 200 " "chunked alone: served"
like "$out" "body=hello" "the decoded body"

out=$(raw 'POST /api/echo/a HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhelloPOST /api/echo/b HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi')
is "$(printf '%s\n' "$out" | grep -c '^HTTP/1.1 200 ')" "2" "two pipelined well-framed requests: both served"
like "$out" "rest=b" "the second one read from its own head"

is "$(http "$BASE/api/echo/after")" "200" "the host still serves"
stop_host
is "$HOST_RC" "0" "clean shutdown"
done_testing
