# shellcheck shell=sh
# bench/lib.sh - what the benchmarks share, sourced by them (not run):
# starting a host on a free port and waiting for it, stopping it, cleaning
# up, reading the task hub, and turning timings into figures.
#
# A script sets `root` (its scratch directory) before the trap and uses
# `pid` for the host it started (empty when none runs).

# bench_mode_flag <cfunc> in-process|workers: the start option that runs
# that build in that mode. Builds before worker processes became the
# default ran in process without an option, and know no --in-process.
bench_mode_flag() {
	case $2 in
	workers) echo --worker-processes ;;
	in-process) "$1" help 2>&1 | grep -q -- '--in-process' && echo --in-process ;;
	esac
	return 0
}

# bench_host_start <dir> <cfunc> [args...]: `cfunc start --port 0 args` in
# <dir> (log: <dir>/host.log). MODE=in-process or MODE=workers adds the
# option for that mode (bench_mode_flag); unset, the build's default mode
# runs, so an A/B of builds on either side of the change of default should
# set it. Port 0 lets the kernel pick a free port; the host prints it, and
# this waits for that line (10 s at most). Sets pid, PORT and H
# (http://127.0.0.1:PORT); exits showing the log when the host did not start.
bench_host_start() {
	_dir=$1
	_bin=$2
	shift 2
	_mode=""
	[ -z "${MODE:-}" ] || _mode=$(bench_mode_flag "$_bin" "$MODE")
	# shellcheck disable=SC2086 # _mode is one option or none
	(cd "$_dir" && exec "$_bin" start --port 0 $_mode "$@") >"$_dir/host.log" 2>&1 &
	pid=$!
	PORT=""
	_i=0
	while [ -z "$PORT" ] && [ $_i -lt 200 ]; do
		sleep 0.05
		PORT=$(sed -n 's/.*Now listening on: http:\/\/.*:\([0-9][0-9]*\)$/\1/p' "$_dir/host.log" | head -1)
		_i=$((_i + 1))
	done
	[ -n "$PORT" ] || {
		echo "the host did not start:" >&2
		cat "$_dir/host.log" >&2
		exit 1
	}
	# shellcheck disable=SC2034 # the URL the sourcing script reads
	H="http://127.0.0.1:$PORT"
}

# bench_host_stop: stops the host bench_host_start started and waits for it.
bench_host_stop() {
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pid=""
}

# bench_cleanup: for `trap bench_cleanup EXIT`: kills a host still running
# and removes $root, unless KEEP is set (to look at the logs).
bench_cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	# shellcheck disable=SC2154 # set by the sourcing script
	[ -n "${KEEP:-}" ] || rm -rf "$root"
}

# bench_q <db> <sql>: one query on a task hub file, read beside the host
# (WAL mode), waiting up to 5 s for a lock.
bench_q() { sqlite3 -cmd ".timeout 5000" "$1" "$2"; }

# bench_drain <db>: waits (2 min at most) until no instance is Pending or
# Running.
bench_drain() {
	_i=0
	while [ "$(bench_q "$1" "select count(*) from instances where status in (0, 6)")" != 0 ] &&
		[ $_i -lt 1200 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}

# bench_start_to_done_ms <db> <printf format>: percentiles of the Completed
# instances' start commit -> Completed commit times in ms, formatted with
# the SQL printf format over (p50, p99, max).
bench_start_to_done_ms() {
	bench_q "$1" "with l as (select (updated_us - created_us) / 1000.0 as ms from instances where status = 1 order by ms),
		n as (select count(*) as c from l)
		select printf('$2',
			(select ms from l limit 1 offset (select c * 50 / 100 from n)),
			(select ms from l limit 1 offset (select c * 99 / 100 from n)),
			(select max(ms) from l))"
}

# bench_rps <wrk args...>: requests/s of one wrk run (THREADS, CONNS and
# DURATION seconds, default 1, 64 and 10).
bench_rps() {
	wrk -t"${THREADS:-1}" -c"${CONNS:-64}" -d"${DURATION:-10}s" "$@" | awk '/Requests\/sec/ { print $2 }'
}

# bench_rounds <name a> <url a> <name b> <url b>: ROUNDS rounds (default 3)
# of bench_rps on a then b, as a table with the ratio a / b per round,
# so both sides share each round's load on the machine.
bench_rounds() {
	echo "| round | $1 req/s | $3 req/s | ratio |"
	echo "|---|---|---|---|"
	_r=1
	while [ $_r -le "${ROUNDS:-3}" ]; do
		_a=$(bench_rps "$2")
		_b=$(bench_rps "$4")
		echo "| $_r | $_a | $_b | $(echo "$_a $_b" | awk '{ printf "%.2f", $1 / $2 }') |"
		_r=$((_r + 1))
	done
}

# bench_posts <n> <url>: n POSTs one after the other (a closed loop of one
# client), bodies and answers discarded.
bench_posts() {
	_i=0
	while [ $_i -lt "$1" ]; do
		curl -s -o /dev/null -X POST "$2"
		_i=$((_i + 1))
	done
}

# bench_ms: seconds on each input line (curl's %{time_total}) as ms.
bench_ms() { awk '{ printf "%.3f\n", $1 * 1000 }'; }

# bench_stats <file of numbers in ms>: "p50 p99 max" (ms, 2 decimals).
bench_stats() {
	sort -n "$1" | awk '{ v[NR] = $1 } END { if (!NR) { print "- - -"; exit }
		p50 = v[int((NR + 1) * 0.50)]; i = int(NR * 0.99); if (i < 1) i = 1
		printf "%.2f %.2f %.2f\n", p50, v[i], v[NR] }'
}

# bench_machine: the machine line every figure is given with.
bench_machine() {
	echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)$*"
}
