#!/bin/sh
# Connections per client address: one client dribbling half-requests from
# many reconnecting connections (from 127.0.0.2, 127.0.0.3, ...) cannot take
# the connections a client on 127.0.0.1 needs (cfunc.limits.
# maxConnectionsPerClient, and the last eighth of maxConnections kept for
# clients holding few connections).
. "$(dirname "$0")/../lib.sh"
ABI="$CFUNC_BUILD/tests/20-abi"
HC="$T_DIR/hostile_client"
${CC:-cc} -std=c11 -O1 -o "$HC" "$CFUNC_ROOT/tests/50-e2e/clients/hostile_client.c"
ok $? "the hostile client builds"

open_fds() { find "/proc/$HOST_PID/fd" -mindepth 1 -maxdepth 1 | wc -l; }

# wait_fds <n>: until the host holds at least n more descriptors than at
# $base (3 s at most); 0 if it did.
wait_fds() {
	_i=0
	while [ $(($(open_fds) - base)) -lt "$1" ]; do
		[ $_i -ge 60 ] && return 1
		sleep 0.05
		_i=$((_i + 1))
	done
}

# control <file>: 30 small requests from 127.0.0.1, one line "code seconds" each.
control() {
	i=0
	while [ $i -lt 30 ]; do
		curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --max-time 5 "$BASE/api/echo/ctl$i"
		i=$((i + 1))
	done >"$1"
}

root="$T_DIR/conns"
make_root "$root" "[\"$ABI/testapp.so\"]" \
	'"cfunc": { "apps": ["'"$ABI/testapp.so"'"], "limits": { "maxConnections": 200, "maxConnectionsPerClient": 50 } }'
start_host "$root"
ok $? "host starts (maxConnections 200, maxConnectionsPerClient 50)"
base=$(open_fds)

# One address, 300 reconnecting slow connections for 4 s.
"$HC" slow 127.0.0.2 "$PORT" 300 4 >"$T_DIR/slow1" &
attacker=$!
wait_fds 50
ok $? "the attacker holds its 50 connections"
control "$T_DIR/control1"
held=$(($(open_fds) - base))
wait $attacker
echo "# attacker: $(cat "$T_DIR/slow1"); host held $held connections"
ok "$([ "$held" -le 55 ]; echo $?)" "the host holds at most 50 of them (+ the control's), not 200 ($held)"
like "$(cat "$T_DIR/slow1")" "closed_by_host=[0-9]{3,}" "the rest are closed at once, again and again"
is "$(grep -c '^200 ' "$T_DIR/control1")" "30" "every request of the client on 127.0.0.1 succeeded"
like "$(cat "$HOST_LOG")" "Closed [0-9]+ connection\(s\) at once \(the last from 127\.0\.0\.2\): over cfunc\.limits\.maxConnectionsPerClient" \
	"the host says why, naming the address and the setting"
n=$(grep -c "connection(s) at once" "$HOST_LOG")
ok "$([ "$n" -le 3 ]; echo $?)" "in a few lines, not one per connection ($n)"
slowest=$(sort -k2 -n "$T_DIR/control1" | tail -1 | cut -d' ' -f2)
ok "$(awk -v t="$slowest" 'BEGIN { exit !(t < 2.0) }'; echo $?)" "none took 2 s (slowest ${slowest} s)"

# Four addresses, each filling its 50: together they would take all 200; the
# last 25 are kept for clients holding fewer than 4.
i=2
pids=""
while [ $i -le 5 ]; do
	"$HC" slow "127.0.0.$i" "$PORT" 80 4 >"$T_DIR/slow$i" &
	pids="$pids $!"
	i=$((i + 1))
done
wait_fds 170
ok $? "the attackers fill the connections up to the reserved eighth"
control "$T_DIR/control2"
held=$(($(open_fds) - base))
for p in $pids; do wait "$p"; done
echo "# four attackers; host held $held connections"
ok "$([ "$held" -le 180 ]; echo $?)" "they hold at most 175 (+ the control's), not 200 ($held)"
is "$(grep -c '^200 ' "$T_DIR/control2")" "30" "every request of the newcomer on 127.0.0.1 succeeded"

stop_host
is "$HOST_RC" "0" "clean shutdown"

# Bad values are refused at start-up.
make_root "$root" "[\"$ABI/testapp.so\"]" \
	'"cfunc": { "apps": ["'"$ABI/testapp.so"'"], "limits": { "maxConnectionsPerClient": 0 } }'
(cd "$root" && "$CFUNC" start --port 0) >"$T_DIR/out" 2>&1
is "$?" "1" "maxConnectionsPerClient 0 is refused"
like "$(cat "$T_DIR/out")" "maxConnectionsPerClient" "naming the setting"
done_testing
