#!/bin/sh
# ABI and loader tests: broken plugins are refused with a one-line reason
# and the host keeps serving the good apps; a name clash across apps is a
# startup error naming both.
. "$(dirname "$0")/../lib.sh"
ABI="$CFUNC_BUILD/tests/20-abi"

root="$T_DIR/broken"
make_root "$root" "[\"$CFUNC_BUILD/samples/hello_http.so\", \"$ABI/wrong_major.so\", \"$ABI/newer_minor.so\", \"$ABI/no_entry.so\", \"$ABI/unresolved.so\", \"$ABI/init_fails.so\", \"$ABI/bad_route.so\", \"$ABI/bad_name.so\", \"$ABI/old_abi.so\", \"$T_DIR/missing.so\"]"
start_host "$root"
ok $? "host starts although most apps are broken"
log=$(cat "$HOST_LOG")
like "$log" "Refusing app 'wrong_major' \\(.*wrong_major.so\\): built for ABI major 3, the host provides 2" "wrong ABI major is refused"
like "$log" "Refusing app 'newer_minor' \\(.*\\): built for ABI 2.99, the host provides 2.2" "newer ABI minor is refused"
like "$log" "Refusing app 'old_abi' \\(.*\\): built against a cfunc.h older than ABI 2.0 \\(entry returned -1001\\), the host provides 2.2: rebuild it" "an app built with the 1.x header is refused with a rebuild hint"
like "$log" "Refusing app 'no_entry' \\(.*\\): no entry symbol 'cf_app_entry'" "missing entry symbol is refused"
like "$log" "Refusing app 'unresolved' \\(.*\\): .*undefined symbol: cfunc_test_symbol_that_does_not_exist" "unresolved symbol is refused"
like "$log" "Refusing app 'init_fails' \\(.*\\): init failed \\(returned -1\\)" "failing init is refused"
like "$log" "database URL missing" "the app's own reason is logged"
like "$log" "Refusing app 'bad_route' \\(.*\\): function 'bad_route_fn': .*" "invalid route template refuses its app"
like "$log" "Refusing app 'bad_name' \\(.*\\): invalid function name '9starts-with-digit'" "invalid function name refuses its app"
like "$log" "Refusing app '.*missing.so': No such file or directory" "missing app file is reported"
n=$(grep -c "Refusing app" "$HOST_LOG")
is "$n" "9" "exactly one line per refused app"
is "$(grep -c '^\[[0-9T:.Z-]*\] Refusing app' "$HOST_LOG")" "9" "each refusal is one timestamped line"
is "$(http "$BASE/api/hello?name=abi")" "200" "the good app still serves"
is "$(body)" "Hello, abi!" "the good app answers correctly"
for f in wrong_major_fn newer_minor_fn unresolved_fn init_fails_fn bad_route_fn; do
	is "$(http "$BASE/api/$f")" "404" "refused app's function $f is not served"
done
functions=$(sed -n '/^Functions:/,/^For detailed/p' "$HOST_LOG")
like "$functions" "hello: \\[GET,POST\\]" "good function listed"
if printf '%s' "$functions" | grep -q "init_fails_fn\|wrong_major_fn"; then ok 1 "refused functions are not listed"; else ok 0 "refused functions are not listed"; fi
stop_host TERM
is "$HOST_RC" "0" "host exits 0 on SIGTERM"

root="$T_DIR/dup"
make_root "$root" "[\"$ABI/dup_a.so\", \"$ABI/dup_b.so\"]"
(cd "$root" && "$CFUNC" start --port 0) >"$T_DIR/dup.log" 2>&1
rc=$?
is "$rc" "1" "duplicate function names stop the host with exit 1"
like "$(cat "$T_DIR/dup.log")" "function 'shared' is defined by both app 'dup_a' and app 'dup_b'" "the error names both apps"

done_testing
