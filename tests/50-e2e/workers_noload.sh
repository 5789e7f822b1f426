#!/bin/sh
# workers_noload.sh - with --worker-processes the host process never loads
# an app: no app .so is mapped in the host (/proc/<pid>/maps) while each
# worker maps its own, and yet what the user sees at start-up is what the
# in-process host shows for the same apps: the "Functions:" list, the
# refusal of apps that do not load (with their reason), the disabled
# warning, GET /admin/functions and /admin/host/functions, the functions
# filter, and the fatal clash of two apps defining one name. Apps with timer
# and entity functions are no exception: those run in the workers too.
. "$CFUNC_ROOT/tests/lib.sh"
. "$CFUNC_ROOT/tests/lib_workers.sh"

# Two apps that load, and four that do not, each for another reason.
workers_root 2 - "$ABI/crashy.so" "$ABI/testapp.so" "$ABI/init_fails.so" "$ABI/no_entry.so" \
	"$ABI/unresolved.so" "$ABI/bad_route.so"
cat >"$R/local.settings.json" <<'JSON'
{ "IsEncrypted": false, "Values": { "AzureWebJobs.pid.Disabled": "true" } }
JSON

# startup <log>: the start-up lines users read, without timestamps and with
# the port as PORT: refusals, the Functions: block, disabled warnings.
startup() {
	sed -e 's/^\[[^]]*\] //' -e "s/:$PORT\//:PORT\//g" "$1" |
		sed -n -e '/^Refusing app/p' -e '/^Functions:/,/^For detailed output/p' \
			-e '/^Function .* is disabled/p' -e '/^No job functions found/p'
}
# admin <path>: the answer with the port as PORT (workers left out).
admin() {
	curl -s --max-time 10 "$BASE$1" | jq -S 'if type == "object" then del(.workers) else . end' |
		sed "s/:$PORT\//:PORT\//g"
}
# maps_apps <pid>: the app files (under $R/apps) the process maps, sorted.
maps_apps() {
	grep -o "$R/apps/[^ ]*\.so" "/proc/$1/maps" 2>/dev/null | sort -u
}

start_host "$R" --in-process # the comparison point: the apps mapped in the host
ok $? "the in-process host starts"
startup "$HOST_LOG" >"$T_DIR/in_process.txt"
admin /admin/functions >"$T_DIR/in_process.fns"
admin /admin/host/functions >"$T_DIR/in_process.host"
is "$(maps_apps "$HOST_PID" | wc -l | tr -d ' ')" 2 \
	"in process, the host maps the two apps that load (the check can see them)"
stop_host TERM

start_host "$R" --worker-processes
ok $? "the host starts with --worker-processes"
startup "$HOST_LOG" >"$T_DIR/workers.txt"
is "$(grep -c '^Refusing app' "$T_DIR/workers.txt")" 4 "the four apps that do not load are refused"
for app in init_fails no_entry unresolved bad_route; do
	is "$(grep "^Refusing app '$app'" "$T_DIR/workers.txt")" \
		"$(grep "^Refusing app '$app'" "$T_DIR/in_process.txt")" \
		"'$app' is refused with the reason the in-process host gives"
done
ok "$(grep -q 'Function pid is disabled' "$T_DIR/workers.txt"; echo $?)" \
	"AzureWebJobs.pid.Disabled still disables it"
is "$(cat "$T_DIR/workers.txt")" "$(cat "$T_DIR/in_process.txt")" \
	"the start-up lines are those of the in-process host"
is "$(admin /admin/functions)" "$(cat "$T_DIR/in_process.fns")" \
	"GET /admin/functions answers what it answers in process"
is "$(admin /admin/host/functions)" "$(cat "$T_DIR/in_process.host")" \
	"GET /admin/host/functions lists the same functions"
is "$(http "$BASE/api/pid")" 404 "a disabled function is not routed"
is "$(http "$BASE/api/ok"; echo " $(body)")" "200 ok" "an HTTP function answers through a worker"

is "$(maps_apps "$HOST_PID")" "" "no app .so is mapped in the host process"
workers=$(pgrep -P "$HOST_PID" | sort)
is "$(echo "$workers" | wc -w | tr -d ' ')" 8 "2 apps x (2 workers + 2 for episodes) run"
# All but each app's first worker start after "Now listening": a worker may
# still be loading its app (bounded: 10 s).
i=0
while :; do
	each=0
	for w in $workers; do
		[ "$(maps_apps "$w" | wc -l | tr -d ' ')" = 1 ] || each=1
	done
	{ [ "$each" = 0 ] || [ "$i" -ge 200 ]; } && break
	sleep 0.05
	i=$((i + 1))
done
ok "$each" "each worker maps exactly one app"
is "$(for w in $workers; do maps_apps "$w"; done | sed 's|.*/||' | sort | uniq -c | tr -s ' \n' '  ')" \
	" 4 crashy.so 4 testapp.so " "four workers of each app"
# Durable work and the admin invoke of an activity run in workers too.
code=$(http -X POST -d '{"n":1}' "$BASE/api/test/start/test_orchestrator")
id=$(body)
is "$code" 202 "an orchestration starts"
wait_for "$id" '.runtimeStatus == "Completed"'
ok $? "and completes (episodes and activities in workers)"
is "$(http -X POST -d '{"input":"x"}' "$BASE/admin/functions/test_activity")" 202 \
	"POST /admin/functions/<activity> is accepted"
wait_log "Executed 'Functions.test_activity'" >/dev/null
like "$(grep "Executed 'Functions.test_activity'" "$HOST_LOG" | tail -1)" "Succeeded" \
	"and the activity runs (in a worker: the host has no code of it)"
is "$(maps_apps "$HOST_PID")" "" "still no app .so in the host after running all of that"
# A port in use: func's message and exit 1, after the apps' lines as in process.
(cd "$R" && "$CFUNC" start --port "$PORT" --worker-processes) >"$T_DIR/busy.log" 2>&1
is "$?" 1 "a second host on the same port exits 1"
like "$(tail -1 "$T_DIR/busy.log")" "^Port $PORT is unavailable\. Close the process using that port" \
	"with func's message, as the last line"
is "$(grep -c '^\[.*Refusing app' "$T_DIR/busy.log")" 4 "after the refusals of the apps that do not load"
stop_host TERM
is "$HOST_RC" 0 "the host stops cleanly"

# host.json "functions" keeps the same functions either way.
cat >"$R/host.json" <<'JSON'
{ "version": "2.0", "functions": ["ok", "slow"], "cfunc": { "apps": ["apps"] } }
JSON
start_host "$R" --in-process # what the in-process host lists
startup "$HOST_LOG" >"$T_DIR/in_process.txt"
stop_host TERM
start_host "$R" --worker-processes
startup "$HOST_LOG" >"$T_DIR/workers.txt"
is "$(grep -c '^	[a-z]' "$T_DIR/workers.txt")" 2 "the functions filter keeps two functions"
is "$(cat "$T_DIR/workers.txt")" "$(cat "$T_DIR/in_process.txt")" \
	"and lists them as the in-process host does"
is "$(http "$BASE/api/cwd")" 404 "a function left out is not routed"
stop_host TERM

# An app whose init ends its process costs only its worker: it is refused
# with the signal, the others start (in process it would end the host).
cp "$ABI/init_aborts.so" "$R/apps/"
start_host "$R" --worker-processes
ok $? "the host starts beside an app whose init aborts"
like "$(sed -n 's/^\[[^]]*\] //; /^Refusing app .init_aborts/p' "$HOST_LOG")" \
	"^Refusing app 'init_aborts' \(.*/init_aborts.so\): its worker process ended while loading it \(SIGABRT" \
	"that app is refused, naming the signal"
is "$(http "$BASE/api/slow?ms=1")" 200 "the other apps serve"
stop_host TERM
rm "$R/apps/init_aborts.so"

# Timer and entity functions run in the workers too: the host loads
# neither the app with a timer nor the one with entities, and both work.
cp "$ABI/timer_app.so" "$CFUNC_BUILD/samples/entities.so" "$R/apps/"
workers_host_json 2
cat >"$R/local.settings.json" <<'JSON'
{ "IsEncrypted": false, "Values": { "TickSchedule": "*/1 * * * * *" } }
JSON
start_host "$R" --worker-processes --ephemeral
is "$(maps_apps "$HOST_PID" | wc -l)" 0 "the host maps neither the timer app nor the entity app"
wait_log "Executed 'Functions.tick' \(Succeeded" >/dev/null
ok "$(grep -q "Executed 'Functions.tick' (Succeeded" "$HOST_LOG"; echo $?)" "its timer fires, in a worker"
E="$BASE/runtime/webhooks/durabletask/entities/counter/noload"
is "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d 5 "$E?op=add")" 202 \
	"a signal to an entity of the unloaded app is accepted"
i=0
while [ "$(curl -s "$E" | tr -d ' \n')" != 5 ] && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
is "$(curl -s "$E" | tr -d ' \n')" 5 "the operation ran in a worker: the entity's state is 5"
is "$(maps_apps "$HOST_PID" | wc -l)" 0 "and the host still maps no app"
is "$(http "$BASE/api/ok")" 200 "the other apps still serve from their workers"
stop_host TERM
rm "$R/apps/timer_app.so" "$R/apps/entities.so"

# Two apps defining the same name stop the start, with the same line.
D="$T_DIR/dup"
mkdir -p "$D/apps"
cp "$ABI/dup_a.so" "$ABI/dup_b.so" "$D/apps/"
printf '{ "version": "2.0" }\n' >"$D/host.json"
(cd "$D" && "$CFUNC" start --port 0) >"$T_DIR/dup_in.log" 2>&1
rc_in=$?
(cd "$D" && "$CFUNC" start --port 0 --worker-processes) >"$T_DIR/dup_w.log" 2>&1
rc_w=$?
ok "$([ "$rc_in" -ne 0 ] && [ "$rc_w" = "$rc_in" ]; echo $?)" \
	"a name two apps define stops the start in both modes (exit $rc_in, $rc_w)"
clash() { sed -n 's/^\[[^]]*\] //; /is defined by both/p' "$1"; }
like "$(clash "$T_DIR/dup_w.log")" "^function '[^']+' is defined by both app 'dup_a' and app 'dup_b'$" \
	"naming the function and both apps"
is "$(clash "$T_DIR/dup_w.log")" "$(clash "$T_DIR/dup_in.log")" "as the in-process host says it"
done_testing
