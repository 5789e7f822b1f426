#!/bin/sh
# `make install` into a temporary prefix, then each `cfunc new` template
# built and served from an empty folder with nothing from the source tree:
# the header and cflags come from pkg-config (PKG_CONFIG_PATH at the prefix),
# the host from PATH. Each app is driven with curl; bad input (a non-empty
# folder, an unknown template, no pkg-config file) is refused with a clear
# message and nothing written; `make uninstall` removes what was installed.
. "$(dirname "$0")/../lib.sh"

prefix=$T_DIR/prefix
# HOST= and -o: install the host this test run was given (plain or
# sanitized) as it is; make neither re-links it nor rewrites the build's
# flags stamp under other flags.
make -s -C "$CFUNC_ROOT" BUILD="$CFUNC_BUILD" HOST="$CFUNC" -o "$CFUNC" -o setup PREFIX="$prefix" install \
	>"$T_DIR/install.log" 2>&1
is "$?" "0" "make install PREFIX=<tmp> succeeds"
sed 's/^/#   /' "$T_DIR/install.log" | head -20
ok "$([ -x "$prefix/bin/cfunc" ] && [ -f "$prefix/include/cfunc.h" ] &&
	[ -f "$prefix/share/pkgconfig/cfunc.pc" ]; echo $?)" "bin/cfunc, include/cfunc.h and share/pkgconfig/cfunc.pc are installed"

# ---- a staged install (DESTDIR), as a package build does ---------------
# Files land under DESTDIR+PREFIX, nothing under PREFIX itself, the .pc
# names PREFIX (where the package will put them), and uninstall with the
# same DESTDIR removes exactly those files.
stage=$T_DIR/stage
sprefix=$T_DIR/pkgprefix
make -s -C "$CFUNC_ROOT" BUILD="$CFUNC_BUILD" HOST="$CFUNC" -o "$CFUNC" -o setup PREFIX="$sprefix" \
	DESTDIR="$stage" install >"$T_DIR/stage.log" 2>&1
is "$?" "0" "make install PREFIX=<p> DESTDIR=<stage> succeeds"
is "$(cd "$stage" && find . -type f | sort | tr '\n' ' ')" \
	".$sprefix/bin/cfunc .$sprefix/include/cfunc.h .$sprefix/share/pkgconfig/cfunc.pc " \
	"the three files land under DESTDIR+PREFIX, nothing else"
ok "$([ -x "$stage$sprefix/bin/cfunc" ]; echo $?)" "the staged cfunc is executable"
cmp -s "$stage$sprefix/include/cfunc.h" "$CFUNC_ROOT/include/cfunc.h"
ok $? "the staged header is include/cfunc.h"
ok "$([ ! -e "$sprefix" ]; echo $?)" "nothing is written under PREFIX itself"
is "$(sed -n 's/^prefix=//p' "$stage$sprefix/share/pkgconfig/cfunc.pc")" "$sprefix" \
	"the staged cfunc.pc names PREFIX"
ok "$(! grep -q "$stage" "$stage$sprefix/share/pkgconfig/cfunc.pc"; echo $?)" \
	"… and never DESTDIR"
is "$(PKG_CONFIG_PATH=$stage$sprefix/share/pkgconfig pkg-config --cflags cfunc | sed "s/ *$//")" "-I$sprefix/include" \
	"pkg-config --cflags of the staged file gives PREFIX's include folder"
echo keep >"$stage$sprefix/bin/other-tool"
make -s -C "$CFUNC_ROOT" BUILD="$CFUNC_BUILD" HOST="$CFUNC" -o "$CFUNC" -o setup PREFIX="$sprefix" \
	DESTDIR="$stage" uninstall >/dev/null 2>&1
is "$?" "0" "make uninstall with the same PREFIX and DESTDIR succeeds"
is "$(cd "$stage" && find . -type f | sort | tr '\n' ' ')" ".$sprefix/bin/other-tool " \
	"it removes exactly the three files, and keeps another one beside them"
ok "$([ -x "$prefix/bin/cfunc" ] && [ -f "$prefix/share/pkgconfig/cfunc.pc" ]; echo $?)" \
	"the install into the other prefix is untouched"
is "$(sed -n 's/^prefix=//p' "$prefix/share/pkgconfig/cfunc.pc")" "$prefix" "… and its cfunc.pc still names its own prefix"

# Only the prefix: no source folder on any search path.
PATH=$prefix/bin:$PATH
PKG_CONFIG_PATH=$prefix/share/pkgconfig
export PATH PKG_CONFIG_PATH
unset CPATH C_INCLUDE_PATH
is "$(pkg-config --cflags cfunc | sed "s/ *$//")" "-I$prefix/include" "pkg-config --cflags cfunc names the installed header's folder"
is "$(pkg-config --modversion cfunc)" "$(cfunc --version)" "cfunc.pc carries the host's version"
like "$(cfunc help)" '^cfunc - a function host' "cfunc help starts with the banner"
like "$(cfunc help)" 'Usage: cfunc \[context\] <action>' "cfunc help has func's usage line"
like "$(cfunc help)" 'new  +Creates a function app' "cfunc help lists new"

# ---- bad input first: a clear message, nothing written -------------------
mkdir -p "$T_DIR/busy" && echo keep >"$T_DIR/busy/notes.txt"
err=$(cd "$T_DIR" && cfunc new busy 2>&1)
is "$?" "1" "cfunc new refuses a non-empty folder (exit 1)"
like "$err" "folder 'busy' is not empty; nothing was written.*--force" "the message names the folder and --force"
is "$(ls -A "$T_DIR/busy")" "notes.txt" "nothing was written into it"
err=$(cd "$T_DIR" && cfunc new fresh --template nope 2>&1)
is "$?" "1" "an unknown template is refused (exit 1)"
like "$err" "unknown template 'nope'" "the message names the template"
like "$err" "fan-out" "and lists the ones there are"
ok "$([ ! -e "$T_DIR/fresh" ]; echo $?)" "no folder was created for it"
(cd "$T_DIR" && cfunc new busy --force) >/dev/null 2>&1
ok "$([ -f "$T_DIR/busy/app.c" ] && [ "$(cat "$T_DIR/busy/notes.txt")" = keep ]; echo $?)" \
	"--force writes into a non-empty folder and keeps other files"
like "$(cfunc new --help)" 'human-interaction' "cfunc new --help lists the templates"
is "$(cfunc templates | grep -c '^  [a-z]')" "5" "cfunc templates lists five templates"
is "$(cfunc new --list)" "$(cfunc templates)" "cfunc new --list is cfunc templates"
out=$(cd "$T_DIR/busy" && PKG_CONFIG_PATH=$T_DIR/none make 2>&1)
like "$out" "pkg-config cannot find cfunc" "without cfunc.pc the app's make says what is missing"

# ---- each template: make, cfunc start, curl --------------------------------
# new_app <template>: creates, builds and starts it; sets APP.
new_app() {
	APP=$T_DIR/apps-$1
	(cd "$T_DIR" && cfunc new "apps-$1" --template "$1") >"$T_DIR/new-$1.log" 2>&1
	is "$?" "0" "$1: cfunc new succeeds in an empty folder"
	# shellcheck disable=SC2012 # the template's file names are plain ASCII
	is "$(cd "$APP" && ls -A | sort | tr '\n' ' ')" ".gitignore Makefile app.c host.json local.settings.json " \
		"$1: it writes the app's five files"
	(cd "$APP" && make) >"$T_DIR/make-$1.log" 2>&1
	is "$?" "0" "$1: make builds it"
	grep -q -- "-I$prefix/include" "$T_DIR/make-$1.log"
	ok $? "$1: the compile line uses the installed header"
	ok "$([ -f "$APP/apps/app.so" ]; echo $?)" "$1: apps/app.so is built"
	CFUNC=cfunc start_host "$APP"
	ok $? "$1: cfunc start (from PATH) serves it"
}

new_app chaining
orch_start hello_cities ''
is "$CODE" "202" "chaining: the starter answers 202"
wait_for "$ID" '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -c .output)" '["Hello Tokyo!","Hello Seattle!","Hello London!"]' "chaining: the orchestration returns the three greetings"
like "$(cat "$HOST_LOG")" "Started orchestration with ID = '$ID'" "chaining: the starter logs the id as func's template does"
like "$(cat "$HOST_LOG")" "hourly_hello: timerTrigger" "chaining: the template's timer is listed"
is "$(http -X POST -H 'Content-Type: application/json' -d '{}' "$BASE/admin/functions/hourly_hello")" "202" \
	"chaining: the timer can be fired through the admin API"
i=0
while ! grep -q "Timer started orchestration with ID = " "$HOST_LOG" && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
tid=$(sed -n "s/.*Timer started orchestration with ID = '\([0-9a-f]*\)'.*/\1/p" "$HOST_LOG" | head -1)
wait_for "$tid" '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -r .name)" "hello_cities" "chaining: the timer started hello_cities through the durable client"
stop_host

new_app fan-out
orch_start fan_out '{"count":5}'
wait_for "$ID" '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -c .output)" '{"items":5,"total":250}' "fan-out: five activities, results summed"
orch_start fan_out '{"count":0}'
wait_for "$ID" '.runtimeStatus == "Failed"'
like "$(printf '%s' "$ST" | jq -r .output)" 'count must be an integer from 1 to 1000' "fan-out: a bad count fails with a reason"
stop_host

new_app human-interaction
orch_start approval ''
wait_for "$ID" '.runtimeStatus == "Running"'
uri=$(jq -r .sendEventPostUri "$BODY_FILE" | sed 's/{eventName}/Approval/')
is "$(http -X POST -H 'Content-Type: application/json' -d true "$uri")" "202" "human-interaction: the Approval event is accepted"
wait_for "$ID" '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -c .output)" '"approved"' "human-interaction: the event decides the outcome"
stop_host

new_app eternal
orch_start periodic '{"every":1}'
wait_for "$ID" '(.customStatus.rounds // 0) >= 2'
ok $? "eternal: it goes round on its timer (continue-as-new)"
is "$(printf '%s' "$ST" | jq -r .runtimeStatus)" "Running" "eternal: and keeps running"
is "$(http -X POST "$BASE/runtime/webhooks/durabletask/instances/$ID/terminate?reason=done")" "202" "eternal: terminate is accepted"
wait_for "$ID" '.runtimeStatus == "Terminated"'
ok $? "eternal: terminate stops it"
stop_host

new_app entity
is "$(http -X POST -d 5 "$BASE/api/counter/mine/add")" "202" "entity: a signal is accepted"
i=0
while [ "$(http "$BASE/api/counter/mine")" != 200 ] && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
is "$(cat "$BODY_FILE")" "5" "entity: the counter's state reads back"
orch_start count_twice '"mine"'
wait_for "$ID" '.runtimeStatus == "Completed"'
is "$(printf '%s' "$ST" | jq -c .output)" '[6,7]' "entity: the orchestration's calls answer in order"
is "$(http "$BASE/runtime/webhooks/durabletask/entities/counter/mine")" "200" "entity: the management API reads it"
is "$(cat "$BODY_FILE")" "7" "entity: with the state the calls left"
is "$(http -X POST -d '"x"' "$BASE/api/counter/mine/add")" "202" "entity: a bad operation input is still a signal"
i=0
while ! grep -q "operation 'add' failed: add needs a number" "$HOST_LOG" && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
like "$(cat "$HOST_LOG")" "operation 'add' failed: add needs a number" "entity: whose failure is logged"
is "$(http "$BASE/api/counter/mine")" "200" "entity: and changes nothing"
is "$(cat "$BODY_FILE")" "7" "entity: the state is unchanged"
stop_host

# ---- uninstall ---------------------------------------------------------------
make -s -C "$CFUNC_ROOT" BUILD="$CFUNC_BUILD" HOST="$CFUNC" -o "$CFUNC" -o setup PREFIX="$prefix" uninstall >/dev/null 2>&1
is "$?" "0" "make uninstall succeeds"
is "$(find "$prefix" -type f | wc -l)" "0" "it removes every installed file"

done_testing
