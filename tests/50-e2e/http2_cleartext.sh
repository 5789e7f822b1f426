#!/bin/sh
# http2_cleartext.sh - HTTP/2 without TLS (prior knowledge, as
# `curl --http2-prior-knowledge` speaks it): app functions, host endpoints
# and the headers of host.json's customHeaders answer as over HTTP/1.1.
# h2o serves it on the same port; response header names go out in lower
# case, as HTTP/2 requires (an upper-case name made every stream a
# PROTOCOL_ERROR for the client), while HTTP/1.1 keeps the spelling given.
. "$CFUNC_ROOT/tests/lib.sh"

root="$T_DIR/app"
make_root "$root" "[\"$CFUNC_BUILD/samples/hello_http.so\"]" \
	'"extensions": { "http": { "customHeaders": { "X-Custom-One": "1" } } }'
start_host "$root"
ok $? "the host starts"

h2() { curl -s --http2-prior-knowledge --max-time 10 "$@"; }
out=$(h2 -D "$T_DIR/h2-head" "$BASE/api/hello?name=h2")
ok $? "an app function over HTTP/2 without TLS answers"
is "$out" "Hello, h2!" "… with the function's body"
like "$(head -1 "$T_DIR/h2-head")" "^HTTP/2 200" "… 200 over HTTP/2"
ok "$(grep -q '^content-type: text/plain; charset=utf-8' "$T_DIR/h2-head"; echo $?)" \
	"… the app's Content-Type as a lower-case name"
ok "$(grep -q '^x-custom-one: 1' "$T_DIR/h2-head"; echo $?)" "… and host.json's custom header too"
ok "$(! grep -q '^[^:]*[A-Z][^:]*:' "$T_DIR/h2-head"; echo $?)" "no header name has upper case"

is "$(h2 -o /dev/null -w '%{http_code} %{http_version}' "$BASE/admin/host/status")" "200 2" \
	"a host endpoint (/admin/host/status) answers over HTTP/2"
is "$(h2 -o /dev/null -w '%{http_code}' "$BASE/api/nope")" 404 "an unknown route is a 404 over HTTP/2"

curl -s -D "$T_DIR/h1-head" -o /dev/null --max-time 10 "$BASE/api/hello?name=h1"
ok "$(grep -q '^Content-Type: text/plain; charset=utf-8' "$T_DIR/h1-head" &&
	grep -q '^X-Custom-One: 1' "$T_DIR/h1-head"; echo $?)" \
	"HTTP/1.1 keeps the names as the app and host.json spell them"

stop_host
is "$HOST_RC" 0 "the host stops cleanly"
done_testing
