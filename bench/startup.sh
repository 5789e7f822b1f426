#!/bin/sh
# bench/startup.sh - start-up time of `cfunc start` on the samples (the
# repository's host.json, every sample app): from the launch to the line
# "Now listening on", with worker processes (the default) and --in-process,
# alternating, ROUNDS times each. Not a test; figures go into BENCHMARKS.md.
# Each host gets a fresh task hub in a scratch directory and is stopped
# (SIGTERM) before the next starts; loopback only, port 0.
#   ROUNDS=7 BASE_CFUNC=/tmp/base/build/cfunc sh bench/startup.sh
set -eu
cd "$(dirname "$0")/.."
TOP=$(pwd)
ROUNDS=${ROUNDS:-5}
root=$(mktemp -d /tmp/cfunc-bench-startup.XXXXXX)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$root"' EXIT

# once <binary> <mode flag>: prints the milliseconds to "Now listening on" (10 s at most).
once() {
	rm -f "$root/host.log" # the last host's line must not count
	t0=$(date +%s%N)
	AzureFunctionsJobHost__extensions__durableTask__storageProvider__path="$root/hub.db" \
		"$1" start --port 0 --script-root "$TOP" "$2" >"$root/host.log" 2>&1 &
	pid=$!
	i=0
	until grep -qs "Now listening on" "$root/host.log"; do
		[ $i -lt 2000 ] || { echo "the host did not start:" >&2; cat "$root/host.log" >&2; exit 1; }
		sleep 0.005
		i=$((i + 1))
	done
	t1=$(date +%s%N)
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pid=""
	rm -f "$root"/hub.db*
	echo $(((t1 - t0) / 1000000))
}

# BASE_CFUNC=<another build's cfunc>: that one too, with --worker-processes,
# in the same rounds (e.g. the build before a change to the start-up).
w="" p="" b=""
r=0
while [ $r -lt "$ROUNDS" ]; do
	w="$w $(once "$TOP/build/cfunc" --worker-processes)"
	p="$p $(once "$TOP/build/cfunc" --in-process)"
	[ -n "${BASE_CFUNC:-}" ] && b="$b $(once "$BASE_CFUNC" --worker-processes)"
	r=$((r + 1))
done
# shellcheck disable=SC2086 # $1 is a list of numbers, split on purpose
med() { printf '%s\n' $1 | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
echo "worker processes (default), ms:$w  median $(med "$w")"
echo "--in-process, ms:$p  median $(med "$p")"
[ -z "$b" ] || echo "$BASE_CFUNC --worker-processes, ms:$b  median $(med "$b")"
