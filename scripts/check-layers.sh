#!/bin/sh
# check-layers [root]: fails when a source file crosses a layer it must not.
#
#   1. common/, runtime/, bindings/ and management/ include no h2o header and
#      not <dlfcn.h>. The durable engine, the app bindings and the management
#      API must build and be tested without the HTTP front end or the loader;
#      a stray include is how that starts. common/ and runtime/ include no
#      jansson either: the runtime links no JSON library (the Makefile's
#      RT_PKGS), and reads and writes its own records with common/json_*.c.
#   2. Project headers are included by their layer's path ("runtime/store.h"),
#      and only downwards: common/ < runtime/ < bindings/ < management/ <
#      host/. A file includes headers of its own layer or of a layer below.
#   3. Only the loader, host/apps.c, calls dlopen. It is also the only file
#      that calls dlclose and dlsym: the registry (bindings/registry.c) frees
#      apps through the close_dl pointer the loader stores in each app, so it
#      needs no dlfcn.h. Loading and unloading apps stay in one place.
#   4. Outside runtime/, only the durable client (bindings/durable_client.c)
#      calls the engine's commands and reads (ENGINE_CALLS below: starts,
#      events, lifecycle, purges, entity signals, reads, the reader pool), so
#      that every caller - apps, the management API, the admin invoke - gets
#      the same checks and outcomes. One exception: the offline CLI
#      (host/cli/cli_durable_offline.c) may decode history with
#      rt_engine_history from a hub file it opened itself, no engine running.
#      Lifecycle (rt_engine_start/stop), waits, health and stats are not
#      commands or reads and stay free.
#   5. Inside management/, calls go one way: webhooks.c routes to the
#      endpoint files (query.c, entities.c), and they answer through the
#      shared helpers (reply.c, request.c, page.c). So only webhooks.c
#      includes an endpoint file's header or management/webhooks.h, and no
#      file calls back into the one that calls it.
#   6. No two source files call each other, directly or round a longer
#      loop: the files form layers, each calling only files below it, so
#      any one can be read, tested and changed knowing only what is below.
#      Measured on the objects (objdir, default root/build/obj: `make
#      check-layers` builds them first): a symbol one object leaves
#      undefined and another defines is a call. Where a lower file must
#      reach a higher one, the higher one passes a function pointer down.
#      One pair is allowed, LOOP_ALLOWED below.
#
# Usage: check-layers.sh [root [objdir]]. Scans common/, runtime/,
# bindings/, management/ and host/ under root (default: this tree). Prints
# "check-layers: ok", or one line per problem naming file:line (rule 6: the
# files of each loop and the calls between them), and exits 1; exits 2
# when root or objdir cannot be read. POSIX sh, grep and sed, nm and
# coreutils; comments mentioning dlopen() are not calls.
set -u

root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || {
	echo "check-layers: cannot enter '$root'" >&2
	exit 2
}
objdir=${2:-build/obj}
# The replayer's core, one algorithm in two files: replay.c walks the
# history and applies events, replay_tasks.c holds the task calls and
# their completion, and each needs the other in the middle of its work
# (an event completes a task; a completion applies the next events).
LOOP_ALLOWED='runtime/replay.o runtime/replay_tasks.o'

LOADER=host/apps.c
CLIENT=bindings/durable_client.c
OFFLINE=host/cli/cli_durable_offline.c
ENGINE_CALLS='start_instance|start_async|raise_event|terminate|suspend|resume|rewind|purge|purge_many|signal_entity|signal_entity_async|entity_clean|entity_get|entity_list|reader_get|reader_put|history'
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
	$(sources common runtime bindings management) >"$tmp"
while IFS= read -r line; do
	report "$line" "common/, runtime/, bindings/ and management/ must not include h2o or <dlfcn.h>"
done <"$tmp"
# JSON text is checked by common/json_check.c, the runtime's own records
# (entity messages, the scheduler record) are read and written by
# common/json_read.c and json_write.c, and everything else JSON is the
# bindings' business. No file is excepted.
# shellcheck disable=SC2046
hits '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]jansson' \
	$(sources common runtime) >"$tmp"
while IFS= read -r line; do
	report "$line" "common/ and runtime/ must not include jansson (the runtime links no JSON library)"
done <"$tmp"

# Rule 2. rank <path>: the layer's place in the order, or nothing for a
# header outside the layers (the public cfunc.h is everyone's).
rank() {
	case $1 in
	common/*) echo 1 ;;
	runtime/*) echo 2 ;;
	bindings/*) echo 3 ;;
	management/*) echo 4 ;;
	host/*) echo 5 ;;
	esac
}
# shellcheck disable=SC2046
hits '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' \
	$(sources common runtime bindings management host) >"$tmp"
while IFS= read -r line; do
	file=${line%%:*}
	inc=$(printf '%s\n' "$line" | sed -n 's/^[^:]*:[0-9]*:[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p')
	[ "$inc" = cfunc.h ] && continue
	to=$(rank "$inc")
	if [ -z "$to" ]; then
		report "$line" "include project headers by their layer's path (\"runtime/store.h\")"
		continue
	fi
	from=$(rank "$file")
	[ "$to" -le "$from" ] || report "$line" "${file%%/*}/ must not include ${inc%%/*}/ (layers: common < runtime < bindings < management < host)"
done <"$tmp"

# Rule 3. A call is "dlopen" then "(" outside a comment: lines inside a block
# comment (" * ...") are skipped, and anything after // or /* is cut before
# the second match.
call='(^|[^A-Za-z0-9_])dlopen[[:space:]]*\('
# shellcheck disable=SC2046
hits "$call" $(sources common runtime bindings management host | grep -vxF "$LOADER") >"$tmp"
while IFS= read -r line; do
	code=$(printf '%s\n' "$line" | cut -d: -f3- | sed 's/^[[:space:]]*//')
	case $code in
	\**) continue ;;
	esac
	code=$(printf '%s\n' "$code" | sed -e 's|//.*||' -e 's|/\*.*||')
	printf '%s\n' "$code" | grep -qE -- "$call" || continue
	report "$line" "only the loader ($LOADER) may call dlopen"
done <"$tmp"

# Rule 4. The same comment handling as rule 3.
call="(^|[^A-Za-z0-9_])rt_engine_($ENGINE_CALLS)[[:space:]]*\\("
# shellcheck disable=SC2046
hits "$call" $(sources common bindings management host | grep -vxF "$CLIENT") >"$tmp"
while IFS= read -r line; do
	file=${line%%:*}
	code=$(printf '%s\n' "$line" | cut -d: -f3- | sed 's/^[[:space:]]*//')
	case $code in
	\**) continue ;;
	esac
	code=$(printf '%s\n' "$code" | sed -e 's|//.*||' -e 's|/\*.*||')
	printf '%s\n' "$code" | grep -qE -- "$call" || continue
	if [ "$file" = "$OFFLINE" ]; then
		printf '%s\n' "$code" | grep -qE -- "rt_engine_history[[:space:]]*\\(" &&
			! printf '%s\n' "$code" | sed 's/rt_engine_history[[:space:]]*(//g' | grep -qE -- "$call" &&
			continue
	fi
	report "$line" "outside runtime/, only the durable client ($CLIENT) may call the engine's commands and reads"
done <"$tmp"

# Rule 5. ROUTER names the one file that may include the endpoint headers.
ROUTER=management/webhooks.c
# shellcheck disable=SC2046
hits '^[[:space:]]*#[[:space:]]*include[[:space:]]*"management/(webhooks|query|entities)\.h"' \
	$(sources management | grep -vxF "$ROUTER" | grep -vE '^management/(webhooks|query|entities)\.h$') >"$tmp"
while IFS= read -r line; do
	file=${line%%:*}
	# A file's own header is its own business (query.c includes query.h).
	own=$(printf '%s\n' "$line" | sed -n 's|.*"management/\([a-z_]*\)\.h".*|\1|p')
	[ "$file" = "management/$own.c" ] && continue
	report "$line" "inside management/, only the router ($ROUTER) includes the endpoint headers"
done <"$tmp"

# Rule 6. Edges "caller.o callee.o symbol" from nm: what each object
# defines joined with what each needs. A loop is a set of objects each
# reachable from every other (a strongly connected component), found by
# growing the sets reachable forwards and backwards from each object that
# tsort finds in a loop. join, comm and sort must agree on the order.
LC_ALL=C
export LC_ALL
if [ ! -d "$objdir" ]; then
	echo "check-layers: no objects in '$objdir' (build first: make check-layers)" >&2
	exit 2
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/check-layers.XXXXXX") || exit 2
trap 'rm -f "$tmp"; rm -rf "$work"' EXIT
(cd "$objdir" && for d in common runtime bindings management host; do
	[ -d "$d" ] && find "$d" -type f -name '*.o'
done) | sort >"$work/objs"
if [ ! -s "$work/objs" ]; then
	echo "check-layers: no objects in '$objdir' (build first: make check-layers)" >&2
	exit 2
fi
# nm -A prints "file.o: address type symbol" ("file.o: type symbol" when
# undefined); the objects are named relative to objdir.
(cd "$objdir" && xargs nm -A -g --defined-only <"$work/objs") |
	sed -n 's|^\([^:]*\.o\): *[0-9a-fA-F]* [A-Za-z] \(.*\)$|\2 \1|p' | sort >"$work/defs" || exit 2
(cd "$objdir" && xargs nm -A -u <"$work/objs") |
	sed -n 's|^\([^:]*\.o\): *[A-Za-z] \(.*\)$|\2 \1|p' | sort >"$work/needs" || exit 2
# "symbol needer definer" -> "needer definer symbol", calls within a file dropped.
join "$work/needs" "$work/defs" | sed -n 's/^\([^ ]*\) \([^ ]*\) \([^ ]*\)$/\2 \3 \1/p' |
	sed '/^\([^ ]*\) \1 /d' | sort -u >"$work/calls"
cut -d' ' -f1,2 "$work/calls" | sort -u >"$work/edges"
# reach <edges> <node>: the nodes reachable from node (itself included).
reach() {
	printf '%s\n' "$2" >"$work/reach"
	while :; do
		join "$work/reach" "$1" | cut -d' ' -f2 | cat "$work/reach" - | sort -u >"$work/reach.new"
		cmp -s "$work/reach" "$work/reach.new" && break
		mv "$work/reach.new" "$work/reach"
	done
	cat "$work/reach"
}
while read -r from to; do printf '%s %s\n' "$to" "$from"; done <"$work/edges" | sort >"$work/back"
# shellcheck disable=SC2086 # the names have no spaces: one per line
allowed=$(printf '%s\n' $LOOP_ALLOWED | sort | tr '\n' ' ')
# report_pair <from> <to> <symbols>
report_pair() {
	printf 'check-layers:   %s calls %s: %s\n' "${1%.o}.c" "${2%.o}.c" "$3" >&2
}
: >"$work/done"
tsort "$work/edges" 2>&1 >/dev/null | sed -n 's/^tsort: \(.*\.o\)$/\1/p' | sort -u >"$work/looped"
while IFS= read -r o; do
	grep -qxF "$o" "$work/done" && continue
	reach "$work/edges" "$o" >"$work/fwd"
	reach "$work/back" "$o" >"$work/bwd"
	comm -12 "$work/fwd" "$work/bwd" >"$work/loop"
	cat "$work/loop" >>"$work/done"
	[ "$(wc -l <"$work/loop")" -gt 1 ] || continue
	[ "$(tr '\n' ' ' <"$work/loop")" = "$allowed" ] && continue
	printf 'check-layers: call loop: %s: these files call each other (rule 6)\n' \
		"$(sed 's/\.o$/.c/' "$work/loop" | tr '\n' ' ' | sed 's/ $//')" >&2
	problems=$((problems + 1))
	# The calls inside the loop, one line per caller and callee.
	join "$work/loop" "$work/calls" | sort -k2,2 | join -1 2 -2 1 - "$work/loop" |
		sed 's/^\([^ ]*\) \([^ ]*\) \([^ ]*\)$/\2 \1 \3/' | sort >"$work/inside"
	last_from='' last_to='' syms=''
	while read -r from to sym; do
		if [ "$from" = "$last_from" ] && [ "$to" = "$last_to" ]; then
			syms="$syms, $sym"
			continue
		fi
		[ -n "$last_from" ] && report_pair "$last_from" "$last_to" "$syms"
		last_from=$from last_to=$to syms=$sym
	done <"$work/inside"
	[ -n "$last_from" ] && report_pair "$last_from" "$last_to" "$syms"
done <"$work/looped"

if [ "$problems" -ne 0 ]; then
	echo "check-layers: $problems problem(s); see the rules in scripts/check-layers.sh" >&2
	exit 1
fi
echo "check-layers: ok"
