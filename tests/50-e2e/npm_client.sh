#!/bin/sh
# Microsoft's durable-functions npm client (pinned by tests/npm/package-lock.json,
# installed by `make test` into build/npm) drives cfunc unchanged:
# signalEntity, readEntityState, startNew, getStatus (tests/npm/client.js).
. "$(dirname "$0")/../lib.sh"
NPM_DIR="$CFUNC_BUILD/npm"
if [ ! -d "$NPM_DIR/node_modules/durable-functions" ] || ! command -v node >/dev/null 2>&1; then
	ok 1 "durable-functions is installed in $NPM_DIR (run: make npm-client)"
	done_testing
	exit 1
fi
S="$CFUNC_BUILD/samples"
root="$T_DIR/app"
make_root "$root" "[\"$S/durable_hello.so\", \"$S/entities.so\"]"
start_host "$root"
ok $? "host starts"
# The client's TAP lines continue this test's numbering.
out=$(NODE_PATH="$NPM_DIR/node_modules" node "$CFUNC_ROOT/tests/npm/client.js" "$BASE" 2>&1)
rc=$?
printf '%s\n' "$out" | grep -v '^1\.\.' | while IFS= read -r line; do
	case "$line" in
	"ok "* | "not ok "*) ;;
	*) echo "# $line" ;;
	esac
done
passed=$(printf '%s\n' "$out" | grep -c '^ok ')
bad=$(printf '%s\n' "$out" | grep -c '^not ok ')
printf '%s\n' "$out" | grep -E '^(not )?ok ' | sed 's/^\(not \)\{0,1\}ok [0-9]* - //' >"$T_DIR/names"
printf '%s\n' "$out" | grep -E '^(not )?ok ' >"$T_DIR/lines"
i=0
while IFS= read -r line; do
	i=$((i + 1))
	name=$(sed -n "${i}p" "$T_DIR/names")
	case "$line" in
	"not ok "*) ok 1 "$name" ;;
	*) ok 0 "$name" ;;
	esac
done <"$T_DIR/lines"
ok "$([ "$rc" -eq 0 ] && [ "$passed" -ge 20 ] && [ "$bad" -eq 0 ]; echo $?)" "the client script ran to the end ($passed passed, $bad failed)"
done_testing
