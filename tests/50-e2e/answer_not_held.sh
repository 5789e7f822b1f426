#!/bin/sh
# answer_not_held.sh - an HTTP answer that is ready goes out at once, even
# when the thread that produced it goes on to a slow call queued meanwhile:
# with one HTTP thread, a 1 s call answers in about 1 s, not after the 4 s
# call queued behind it (nor as a 500 when that takes it past
# functionTimeout), in process and with --worker-processes. This is how a
# control client's call got a 500 while another call of its app crashed or
# ran to functionTimeout (workers_crash.sh, workers_entities.sh).
. "$CFUNC_ROOT/tests/lib.sh"

R="$T_DIR/app"
mkdir -p "$R/apps"
cp "$CFUNC_BUILD/tests/20-abi/crashy.so" "$R/apps/"
# One HTTP thread: the second call waits in the queue while the first runs.
cat >"$R/host.json" <<'JSON'
{ "version": "2.0", "functionTimeout": "00:00:10",
  "cfunc": { "apps": ["apps"], "workers": 1 } }
JSON

# ms <curl -w time_total>: whole milliseconds.
ms() { printf '%s' "$1" | awk '{ printf "%d", $1 * 1000 }'; }

for mode in "in process" "--worker-processes"; do
	rm -f "$R/sleeping.pid"
	if [ "$mode" = "in process" ]; then start_host "$R"; else start_host "$R" "$mode"; fi
	ok $? "$mode: host starts with one HTTP thread"
	: >"$T_DIR/first"
	: >"$T_DIR/second"
	curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --max-time 20 \
		"$BASE/api/sleep?ms=1000" >"$T_DIR/first" &
	first=$!
	# Bounded wait for the first call to run (its function writes its pid).
	i=0
	while [ ! -s "$R/sleeping.pid" ] && [ $i -lt 400 ]; do
		sleep 0.01
		i=$((i + 1))
	done
	curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --max-time 20 \
		"$BASE/api/sleep?ms=4000" >"$T_DIR/second" &
	second=$!
	ok "$([ -s "$R/sleeping.pid" ] && [ ! -s "$T_DIR/first" ]; echo $?)" \
		"$mode: the second call is queued while the first one runs"
	wait "$first"
	wait "$second"
	read -r code1 t1 <"$T_DIR/first"
	read -r code2 t2 <"$T_DIR/second"
	is "$code1" 200 "$mode: the first call answers 200"
	ok "$([ "$(ms "$t1")" -lt 3000 ]; echo $?)" \
		"$mode: … in about its own 1 s, not after the 4 s call queued behind it ($(ms "$t1") ms)"
	is "$code2" 200 "$mode: the queued call answers 200 too"
	ok "$([ "$(ms "$t2")" -ge 4000 ]; echo $?)" "$mode: … after its 4 s ($(ms "$t2") ms)"
	stop_host
	is "$HOST_RC" 0 "$mode: the host stops cleanly"
done
done_testing
