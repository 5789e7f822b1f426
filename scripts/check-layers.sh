#!/bin/sh
# check-layers [root]: fails when a source file crosses a layer it must not.
#
#   1. runtime/ and bindings/ include no h2o header and not <dlfcn.h>. The
#      durable engine and the app bindings must build and be tested without
#      the HTTP front end or the loader; a stray include is how that starts.
#   2. Only the loader, host/apps.c, calls dlopen. It is also the only file
#      that calls dlclose and dlsym: the registry (bindings/registry.c) frees
#      apps through the close_dl pointer the loader stores in each app, so it
#      needs no dlfcn.h. Loading and unloading apps stay in one place.
#
# Scans runtime/, bindings/ and host/ under root (default: this tree). Prints
# "check-layers: ok", or one line per problem naming file:line, and exits 1.
# POSIX sh and grep; comments mentioning dlopen() are not calls.
set -u

root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || {
	echo "check-layers: cannot enter '$root'" >&2
	exit 2
}

LOADER=host/apps.c
problems=0

# sources <dir>...: the .c and .h files under the dirs that exist, sorted.
sources() {
	for d in "$@"; do
		[ -d "$d" ] && find "$d" -type f \( -name '*.c' -o -name '*.h' \)
	done | sort
}

# hits <regex> <file>...: grep -n lines as file:line:text (one file or many).
hits() {
	_re=$1
	shift
	[ $# -gt 0 ] || return 0
	grep -nE -- "$_re" /dev/null "$@"
}

# report <file:line:text> <rule>
report() {
	_loc=$(printf '%s\n' "$1" | cut -d: -f1-2)
	_txt=$(printf '%s\n' "$1" | cut -d: -f3- | sed 's/^[[:space:]]*//')
	printf 'check-layers: %s: %s: %s\n' "$_loc" "$2" "$_txt" >&2
	problems=$((problems + 1))
}

tmp=$(mktemp "${TMPDIR:-/tmp}/check-layers.XXXXXX") || exit 2
trap 'rm -f "$tmp"' EXIT

# Rule 1. An #include is code only at the start of a line, so comments that
# name h2o or dlfcn.h are not matched.
# shellcheck disable=SC2046 # file names in this tree have no spaces
hits '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](h2o|dlfcn\.h)' \
	$(sources runtime bindings) >"$tmp"
while IFS= read -r line; do
	report "$line" "runtime/ and bindings/ must not include h2o or <dlfcn.h>"
done <"$tmp"

# Rule 2. A call is "dlopen" then "(" outside a comment: lines inside a block
# comment (" * ...") are skipped, and anything after // or /* is cut before
# the second match.
call='(^|[^A-Za-z0-9_])dlopen[[:space:]]*\('
# shellcheck disable=SC2046
hits "$call" $(sources runtime bindings host | grep -vxF "$LOADER") >"$tmp"
while IFS= read -r line; do
	code=$(printf '%s\n' "$line" | cut -d: -f3- | sed 's/^[[:space:]]*//')
	case $code in
	\**) continue ;;
	esac
	code=$(printf '%s\n' "$code" | sed -e 's|//.*||' -e 's|/\*.*||')
	printf '%s\n' "$code" | grep -qE -- "$call" || continue
	report "$line" "only the loader ($LOADER) may call dlopen"
done <"$tmp"

if [ "$problems" -ne 0 ]; then
	echo "check-layers: $problems problem(s); see the rules in scripts/check-layers.sh" >&2
	exit 1
fi
echo "check-layers: ok"
