#!/bin/sh
# Entities across kill -9: signals over HTTP and calls and signals from
# orchestrations run while the host is killed at random moments, then it
# restarts. Every signal answered 202 must be applied exactly once (each
# goes to a counter of its own, which must read exactly 1; a signal whose
# answer the kill swallowed may be applied too, but never twice), a hot
# counter lies between the acknowledged and the attempted count, and every
# acknowledged orchestration's five calls are applied exactly once.
#
#   CRASH_ROUNDS (default 4) rounds of CRASH_SIGNALS (default 60) signals.
. "$(dirname "$0")/../lib.sh"
ROUNDS=${CRASH_ROUNDS:-4}
N=${CRASH_SIGNALS:-60}
S="$CFUNC_BUILD/samples"
root="$T_DIR/crash"
make_root "$root" "[\"$S/durable_hello.so\", \"$S/entities.so\"]"
ACKED="$T_DIR/acked"     # "<i>" for every signal to counter m-<i> answered 202
TRIED="$T_DIR/tried"     # "<i>" for every signal sent
HOT="$T_DIR/hot"         # one line per hot signal answered 202
HOT_TRIED="$T_DIR/hot_tried"
ORCH="$T_DIR/orch"       # "<id> <key>" for every counter_calls start answered 202
: >"$ACKED"
: >"$TRIED"
: >"$HOT"
: >"$HOT_TRIED"
: >"$ORCH"

rand_ms() { echo $(($(od -An -N2 -tu2 /dev/urandom) % $1)); }

# signals <first> <count>: parallel signals to counter m-<i> and to hot.
signals() {
	# shellcheck disable=SC2016 # the script expands $0..$4, given after it
	seq "$1" $(($1 + $2 - 1)) | xargs -P 8 -I{} sh -c '
		echo {} >>"$2"; echo x >>"$4"
		code=$(curl -s --max-time 10 -o /dev/null -w "%{http_code}" -X POST \
			-H "Content-Type: application/json" -d 1 "$0/entities/counter/m-{}?op=add")
		[ "$code" = 202 ] && echo {} >>"$1"
		code=$(curl -s --max-time 10 -o /dev/null -w "%{http_code}" -X POST \
			-H "Content-Type: application/json" -d 1 "$0/entities/counter/hot?op=add")
		[ "$code" = 202 ] && echo x >>"$3"
		true
	' "$BASE/runtime/webhooks/durabletask" "$ACKED" "$TRIED" "$HOT" "$HOT_TRIED"
}

# calls <round> <count>: counter_calls of 5 on key c-<round>-<i>.
calls() {
	# shellcheck disable=SC2016 # the script expands $0..$2, given after it
	seq 1 "$2" | xargs -P 4 -I{} sh -c '
		out=$(curl -s --max-time 10 -w " %{http_code}" -X POST -H "Content-Type: application/json" \
			-d "{\"key\":\"c-$1-{}\",\"n\":5}" "$0/api/orchestrators/counter_calls")
		case "$out" in *" 202") echo "$(echo "${out% 202}" | jq -r .id) c-$1-{}" >>"$2" ;; esac
	' "$BASE" "$1" "$ORCH"
}

r=1
next=1
while [ "$r" -le "$ROUNDS" ]; do
	start_host "$root" || { ok 1 "host starts in round $r"; break; }
	killer_ms=$((100 + $(rand_ms 600)))
	(
		sleep "$(awk "BEGIN { print $killer_ms / 1000 }")"
		kill -9 "$HOST_PID" 2>/dev/null
	) &
	killer=$!
	signals "$next" "$N" &
	s1=$!
	calls "$r" 8 &
	s2=$!
	wait $s1 $s2
	wait $killer
	kill -9 "$HOST_PID" 2>/dev/null
	wait "$HOST_PID" 2>/dev/null
	HOST_PID=""
	next=$((next + N))
	echo "# round $r: killed after ${killer_ms}ms; $(wc -l <"$ACKED") of $(wc -l <"$TRIED") signals and $(wc -l <"$ORCH") starts acknowledged so far"
	r=$((r + 1))
done

start_host "$root"
ok $? "host restarts after the last kill"
acked=$(wc -l <"$ACKED")
ok "$([ "$acked" -gt 0 ]; echo $?)" "some signals were acknowledged ($acked)"

E="$BASE/runtime/webhooks/durabletask/entities"
# Every acknowledged orchestration completes (bounded wait).
deadline=$(($(date +%s) + 60))
pending=1
while [ "$pending" -gt 0 ] && [ "$(date +%s)" -lt "$deadline" ]; do
	pending=0
	while read -r id key; do
		s=$(curl -s "$BASE/runtime/webhooks/durabletask/instances/$id" | jq -r .runtimeStatus 2>/dev/null)
		[ "$s" = Completed ] || pending=$((pending + 1))
	done <"$ORCH"
	[ "$pending" -gt 0 ] && sleep 0.2
done
is "$pending" "0" "every acknowledged orchestration completed"

# The signals were all committed before their 202: after the restart they
# only have to run. Read every counter once nothing is queued any more.
all_counters() { # prints "key state" for every counter, following tokens
	tok=""
	while :; do
		if [ -n "$tok" ]; then
			curl -s -D "$T_DIR/h" -H "x-ms-continuation-token: $tok" "$E/counter?fetchState=true&top=1000"
		else
			curl -s -D "$T_DIR/h" "$E/counter?fetchState=true&top=1000"
		fi | jq -r '.[] | "\(.entityId.key) \(.state)"'
		tok=$(tr -d '\r' <"$T_DIR/h" | sed -n 's/^x-ms-continuation-token: *//Ip')
		[ -z "$tok" ] && break
	done
}
deadline=$(($(date +%s) + 30))
while :; do
	all_counters >"$T_DIR/counters"
	missing=0
	while read -r i; do
		grep -q "^m-$i 1$" "$T_DIR/counters" || missing=$((missing + 1))
	done <"$ACKED"
	[ "$missing" -eq 0 ] || [ "$(date +%s)" -ge "$deadline" ] && break
	sleep 0.2
done
is "$missing" "0" "every acknowledged signal was applied (its counter reads 1)"
twice=$(awk '$1 ~ /^m-/ && $2 != 1' "$T_DIR/counters" | wc -l)
is "$twice" "0" "no signal was applied twice"
sort "$TRIED" >"$T_DIR/tried.sorted"
stray=$(awk '$1 ~ /^m-/ { sub(/^m-/, "", $1); print $1 }' "$T_DIR/counters" | sort |
	comm -23 - "$T_DIR/tried.sorted" | wc -l)
is "$stray" "0" "and nothing was applied that was never sent"
hot=$(awk '$1 == "hot" { print $2 }' "$T_DIR/counters")
hot_acked=$(wc -l <"$HOT")
hot_tried=$(wc -l <"$HOT_TRIED")
ok "$([ "${hot:-0}" -ge "$hot_acked" ] && [ "${hot:-0}" -le "$hot_tried" ]; echo $?)" \
	"the hot counter ($hot) lies between its acknowledged ($hot_acked) and attempted ($hot_tried) signals"
bad=0
while read -r id key; do
	out=$(curl -s "$BASE/runtime/webhooks/durabletask/instances/$id" | jq -c .output)
	st=$(grep "^$key " "$T_DIR/counters" | cut -d' ' -f2)
	if [ "$out" != 5 ] || [ "$st" != 5 ]; then
		bad=$((bad + 1))
		echo "# $id ($key): output $out, counter $st"
	fi
done <"$ORCH"
is "$bad" "0" "every acknowledged orchestration's five calls were applied exactly once"
stop_host
is "$HOST_RC" "0" "clean shutdown after recovery"
done_testing
