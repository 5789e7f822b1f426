#!/bin/sh
# check-shell [root]: shellcheck over every shell script of the tree: the
# tests (tests/**/*.sh, tests/lib.sh, tests/run.sh, the sourced *.inc
# helpers), the benchmarks (bench/*.sh) and scripts/*.sh. The settings shared
# by all of them (which sourced files to follow, the one check turned off
# everywhere) are in .shellcheckrc at the root; a check turned off for one
# line says why on that line.
#
# Prints "check-shell: ok (N scripts)", or shellcheck's findings (file:line:
# column) and exits 1. Part of `make test`, like check-layers.
set -u

root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || {
	echo "check-shell: cannot enter '$root'" >&2
	exit 2
}
if ! command -v shellcheck >/dev/null 2>&1; then
	echo "check-shell: shellcheck is not installed (run scripts/setup.sh)" >&2
	exit 2
fi

# Paths are plain (no spaces) in this tree; the list is sorted so the
# findings come in the same order every time.
scripts=$(find tests bench scripts -type f \( -name '*.sh' -o -name '*.inc' \) | LC_ALL=C sort)
if [ -z "$scripts" ]; then
	echo "check-shell: no scripts found under $root" >&2
	exit 2
fi
n=$(printf '%s\n' "$scripts" | wc -l | tr -d ' ')
# shellcheck disable=SC2086 # one word per path (see above)
if shellcheck -f gcc $scripts; then
	echo "check-shell: ok ($n scripts)"
else
	echo "check-shell: shellcheck found problems in the scripts above" >&2
	exit 1
fi
