#!/bin/sh
# SIGTERM/SIGINT always end the host within the stop bound
# (cfunc.stopTimeoutSeconds), with exit status 0, whatever it is doing:
# right after a start's 202, during a fan-out, during a burst of starts, or
# with an activity that cannot finish within the bound (issue 10, item 2). Then nothing
# acknowledged is lost: every instance that got its 202 completes after a
# restart. STOPS sets the number of stops (the issue's figure is 200).
. "$CFUNC_ROOT/tests/lib.sh"

ABI="$CFUNC_BUILD/tests/20-abi"
W_PATH=runtime/webhooks/durabletask
STOPS=${STOPS:-32}
BOUND_S=2
SLACK_MS=600 # polling and scheduling on a shared 2-core machine

root="$T_DIR/app"
make_root "$root" "[\"$ABI/engine_app.so\"]" \
	"\"extensions\": { \"durableTask\": { \"maxConcurrentActivityFunctions\": 4 } }"
# the stop bound lives in the cfunc section
sed -i "s|\"cfunc\": {|\"cfunc\": { \"stopTimeoutSeconds\": $BOUND_S,|" "$root/host.json"

root_long="$T_DIR/long"
mkdir -p "$root_long"
cp "$root/host.json" "$root_long/host.json"

# A bad bound is refused like any other bad setting.
bad="$T_DIR/bad"
make_root "$bad" "[\"$ABI/engine_app.so\"]"
sed -i 's|"cfunc": {|"cfunc": { "stopTimeoutSeconds": 0,|' "$bad/host.json"
(cd "$bad" && "$CFUNC" start --port 0) >"$T_DIR/bad.out" 2>&1
is "$?" "1" "stopTimeoutSeconds 0 is refused"
like "$(cat "$T_DIR/bad.out")" "stopTimeoutSeconds" "naming the setting"

rand_ms() { # rand_ms <max>: a random delay, for a random moment to stop at
	awk -v m="$1" -v s="$(od -An -N4 -tu4 /dev/urandom)" 'BEGIN { srand(s); printf "%.3f", rand() * m / 1000 }'
}

acked="$T_DIR/acked"
: >"$acked"
: >"$acked.long"
start_one() { # start_one <orchestrator> <id> <input>: records the id on 202
	c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST -H 'Content-Type: application/json' \
		-d "$3" "$BASE/$W_PATH/orchestrators/$1/$2")
	[ "$c" = 202 ] && echo "$2" >>"$acked${4:-}"
}

slow=0
worst=0
bad_rc=0
r=0
while [ $r -lt "$STOPS" ]; do
	r=$((r + 1))
	# Long activities get a hub of their own: rerun after each start,
	# they would otherwise make every later stop wait for the bound.
	r_root=$root
	[ $((r % 4)) -eq 3 ] && r_root=$root_long
	start_host "$r_root" || { ok 1 "host starts (round $r)"; break; }
	sig=TERM
	[ $((r % 2)) -eq 0 ] && sig=INT
	case $((r % 4)) in
	0) # right after a start's 202
		start_one fan_out "s$r" '{"count":200,"ms":5}' ;;
	1) # during a fan-out larger than a batch
		start_one fan_out "f$r" '{"count":3000}'
		sleep "$(rand_ms 300)" ;;
	2) # during a burst of starts
		for j in 1 2 3 4 5 6 7 8; do start_one fan_out "b$r-$j" '{"count":50,"ms":2}' & done
		sleep "$(rand_ms 200)" ;;
	3) # an activity that cannot finish within the bound
		start_one fan_out "h$r" '{"count":1,"ms":4000}' .long
		sleep "$(rand_ms 300)" ;;
	esac
	t0=$(date +%s%N)
	kill -"$sig" "$HOST_PID"
	i=0
	while kill -0 "$HOST_PID" 2>/dev/null && [ $i -lt $((BOUND_S * 50 + 200)) ]; do
		sleep 0.02
		i=$((i + 1))
	done
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	if kill -0 "$HOST_PID" 2>/dev/null; then
		kill -9 "$HOST_PID"
		ms=999999
	fi
	wait "$HOST_PID"
	rc=$?
	HOST_PID=""
	wait # the burst's clients
	[ "$rc" -ne 0 ] && { bad_rc=$((bad_rc + 1)); echo "# round $r ($sig): exit status $rc"; }
	[ $ms -gt $((BOUND_S * 1000 + SLACK_MS)) ] && { slow=$((slow + 1)); echo "# round $r ($sig): exited after $ms ms"; tail -5 "$HOST_LOG" | sed 's/^/#   /'; }
	echo "# round $r ($sig): $ms ms"
	[ $ms -gt $worst ] && worst=$ms
done
is "$bad_rc" "0" "$r stops: every one exited with status 0"
is "$slow" "0" "$r stops: every one exited within the bound of ${BOUND_S} s (slowest $worst ms)"

# Nothing acknowledged is lost: after a restart every 202 completes. The
# attempts abandoned by the stops run again first, each suspect on its own
# for a moment, so the whole set gets a deadline rather than each id.
# check_acked <root> <list>: every id in the list completes on that hub
check_acked() {
	start_host "$1"
	n=$(wc -l <"$2")
	deadline=$(( $(date +%s) + 60 + STOPS / 2 ))
	while read -r id; do
		while :; do
			st=$(curl -s --max-time 5 "$BASE/$W_PATH/instances/$id" | jq -r .runtimeStatus 2>/dev/null)
			case $st in Completed|Failed|Terminated) break ;; esac
			[ "$(date +%s)" -ge $deadline ] && break
			sleep 0.1
		done
		[ "$st" = Completed ] || echo "# $id: $st"
	done <"$2"
	done_n=0
	while read -r id; do
		[ "$(curl -s "$BASE/$W_PATH/instances/$id" | jq -r .runtimeStatus)" = Completed ] && done_n=$((done_n + 1))
	done <"$2"
}
check_acked "$root" "$acked"
ok "$([ "$n" -gt 0 ]; echo $?)" "some starts were acknowledged before the stops ($n)"
is "$done_n" "$n" "every acknowledged instance completed after the restart"
stop_host
check_acked "$root_long" "$acked.long"
is "$done_n" "$n" "every acknowledged long one too ($n)"
stop_host
is "$HOST_RC" "0" "clean shutdown"
done_testing
