#!/bin/sh
# Runs every test program and script given on the command line (or found
# under build/tests and tests/50-e2e), shows their TAP output, and ends with
# the line "N passed, N failed" counted over all assertions. A program that
# exits non-zero without reporting a failed assertion counts as one failure.
set -u
passed=0
failed=0
failures=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for t in "$@"; do
	echo "=== $t"
	start=$(date +%s)
	if [ -x "$t" ]; then "$t" >"$log" 2>&1; else sh "$t" >"$log" 2>&1; fi
	rc=$?
	cat "$log"
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $t exited with status $rc"
		f=1
	fi
	# The plan ("1..N", printed last by done_testing) must match what ran:
	# a test that stops early, or never reaches its plan, has failed.
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$log" | tail -n 1)
	if [ -z "$plan" ]; then
		echo "not ok - $t printed no plan (it stopped before done_testing)"
		f=$((f + 1))
	elif [ "$plan" -ne $((p + f)) ] && [ "$rc" -eq 0 ]; then
		echo "not ok - $t planned $plan assertions but ran $((p + f))"
		f=$((f + 1))
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" -gt 0 ] && failures="$failures $t"
	echo "--- $t: $p passed, $f failed ($(($(date +%s) - start))s)"
done
[ -n "$failures" ] && echo "failing:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
