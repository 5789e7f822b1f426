#!/bin/sh
# shellcheck disable=SC2016 # the planted lines are shell text: single quotes keep them unexpanded
# scripts/check-shell.sh can fail: on a copy of some scripts of each kind
# it covers (tests, the sourced helpers, bench/, scripts/) and .shellcheckrc,
# with one mistake planted at a time, it must exit 1 and name the file and
# line; the unchanged copy must pass; with no shellcheck on PATH it must say
# so rather than pass. (`make check-shell` runs it on the whole tree.)
. "$(dirname "$0")/../lib.sh"

script="$CFUNC_ROOT/scripts/check-shell.sh"
tree="$T_DIR/tree"
mkdir -p "$tree/tests/50-e2e" "$tree/bench" "$tree/scripts"
cp "$CFUNC_ROOT/.shellcheckrc" "$tree/"
cp "$CFUNC_ROOT/tests/lib.sh" "$CFUNC_ROOT/tests/run.sh" "$tree/tests/"
cp "$CFUNC_ROOT/tests/50-e2e/http.sh" "$CFUNC_ROOT/tests/50-e2e/webhooks.sh" \
	"$CFUNC_ROOT/tests/50-e2e/webhooks.inc" "$tree/tests/50-e2e/"
cp "$CFUNC_ROOT/bench/durable.sh" "$CFUNC_ROOT/bench/lib.sh" "$tree/bench/"
cp "$CFUNC_ROOT/scripts/setup.sh" "$tree/scripts/"

out=$(sh "$script" "$tree" 2>&1)
ok $? "an unchanged copy passes"
is "$out" "check-shell: ok (8 scripts)" "and says so, with the count"

# plant <file> <line of shell>: appends the line; prints its line number.
plant() {
	cp "$tree/$1" "$T_DIR/saved"
	printf '%s\n' "$2" >>"$tree/$1"
	wc -l <"$tree/$1" | tr -d ' '
}
restore() { cp "$T_DIR/saved" "$tree/$1"; }

# expect_fail <file> <line of shell> <SC code> <description>
expect_fail() {
	n=$(plant "$1" "$2")
	out=$(sh "$script" "$tree" 2>&1)
	rc=$?
	is "$rc" "1" "$4: exits 1"
	like "$out" "$1:$n:[0-9]*: .*\\[$3\\]" "$4: names $1:$n and $3"
	restore "$1"
}

# The mistakes the tree had, one per kind of script shellcheck covers.
expect_fail tests/50-e2e/http.sh 'ok $([ -n "$BASE" ]; echo $?) "planted"' SC2046 "unquoted \$(...) in a test"
expect_fail tests/lib.sh 'planted() { ls "$T_DIR" | grep -c x; }' SC2010 "ls | grep in lib.sh"
expect_fail tests/50-e2e/webhooks.inc 'printf "$1" >/dev/null' SC2059 "a variable format in webhooks.inc"
expect_fail tests/run.sh 'unused_planted=1' SC2034 "an unused variable in run.sh"
expect_fail bench/durable.sh 'for f in $(ls /tmp); do echo "$f"; done' SC2045 "a loop over ls in a benchmark"
expect_fail scripts/setup.sh 'read planted' SC2162 "read without -r in scripts/"

# A disable with its reason on the line above is honoured.
plant tests/50-e2e/http.sh '# shellcheck disable=SC2086 # planted: splitting meant
echo $T_DIR' >/dev/null
out=$(sh "$script" "$tree" 2>&1)
ok $? "a line-level disable passes"
restore tests/50-e2e/http.sh

# No shellcheck on PATH: a clear refusal, never a silent pass.
out=$(PATH=/nonexistent /bin/sh "$script" "$tree" 2>&1)
rc=$?
is "$rc" "2" "without shellcheck: exits 2"
like "$out" "shellcheck is not installed" "and says so"
out=$(sh "$script" "$T_DIR/no-such-root" 2>&1)
rc=$?
is "$rc" "2" "a root that does not exist: exits 2"

done_testing
