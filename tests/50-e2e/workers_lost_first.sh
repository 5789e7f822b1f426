#!/bin/sh
# workers_lost_first.sh - the client of a call whose worker died gets its
# 500 before a replacement worker is started, not after it is ready (a
# worker's load and init: several ms, far more on a loaded machine). No
# timing: held_start's init waits while $R/hold-start exists, so the
# replacement of the worker that died stays in its start for as long as
# this test wants; the 500 must arrive meanwhile. Then the replacement is
# let go: the console line names both processes, and the app serves again.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_workers.sh"

workers_root 1 - "$ABI/held_start.so"
start_workers_host

# The two workers for calls and the two for episodes (cfunc.workers is at
# least 2) start after "Now listening":
# each is up before the start is held.
# shellcheck disable=SC2016 # evaluated on each try
poll 1000 '[ "$(curl -s --max-time 10 "$BASE/admin/host/functions" | jq -c "[.workers.apps[].workers[] | .state == \"ready\"] | all and length == 4")" = true ]'
ok $? "the app's four workers are ready"
is "$(http "$BASE/api/ok")" 200 "a function answers through a worker"

: >"$R/hold-start"
curl -s -o "$T_DIR/body-abort" -w '%{http_code}\n' --max-time 60 "$BASE/api/abort" \
	>"$T_DIR/code-abort.tmp" && mv "$T_DIR/code-abort.tmp" "$T_DIR/code-abort" &
# shellcheck disable=SC2016
poll 500 '[ -f "$T_DIR/code-abort" ]'
ok $? "the crashed call answers while its replacement worker is held in its start"
is "$(cat "$T_DIR/code-abort") $(jq -r '.function + " " + .signal' "$T_DIR/body-abort" 2>/dev/null)" \
	"500 abort SIGABRT" "… 500, naming the function and the signal"
# shellcheck disable=SC2016
poll 1000 'ls "$R"/starting-* >/dev/null 2>&1'
ok $? "the replacement is started after the answer (it is held in its init)"
is "$(grep -c "replaced by process" "$HOST_LOG")" 0 "… and is not ready yet: no console line says it replaced the dead one"

rm -f "$R/hold-start"
new=""
for f in "$R"/starting-*; do new=${f##*/starting-}; done
inv=$(jq -r .invocationId "$T_DIR/body-abort" 2>/dev/null)
like "$(wait_log "Id=$inv\); replaced by")" \
	"Worker process [0-9]+ of app 'held_start' died \(SIGABRT\) while running 'abort' \(Id=$inv\); replaced by process $new in [0-9.]+ ms" \
	"let go, it is ready: one console line names the dead worker, the call, the signal and the replacement"
is "$(http "$BASE/api/ok")" 200 "the app serves again through the replacement"

stop_host
done_testing
