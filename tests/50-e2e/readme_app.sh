#!/bin/sh
# The README's "Writing an app" steps, run as written from an empty folder
# outside the repository: its C file, its build commands, its host.json, and
# the curl commands shown next to them with the answers shown there. Every
# piece is read from README.md itself, so the README cannot drift from what
# works.
. "$(dirname "$0")/../lib.sh"

readme=$CFUNC_ROOT/README.md
section=$T_DIR/section.md
# The section, from its heading to the next level-2 heading.
awk '/^## Writing an app/ { on = 1; print; next } on && /^## / { exit } on' "$readme" >"$section"
ok "$([ -s "$section" ]; echo $?)" "README has a 'Writing an app' section"

# block <n> <lang>: the n-th fenced block of that language in the section
block() {
	awk -v want="$1" -v lang="$2" '
		/^```/ && !inside { inside = 1; n += ($0 == "```" lang); mine = (n == want && $0 == "```" lang); next }
		/^```/ && inside { inside = 0; if (mine) exit; next }
		inside && mine' "$section"
}

app=$T_DIR/empty/myapp
mkdir -p "$app"
block 1 c >"$app/myapp.c"
like "$(head -1 "$app/myapp.c")" '^#include <cfunc.h>$' "the first C block is the app"

# The build block, with CFUNC_HOME pointing at this checkout and the last
# line (which starts the host in the foreground) left to start_host below.
block 1 sh >"$T_DIR/build.sh"
like "$(tail -1 "$T_DIR/build.sh")" 'cfunc" start$' "the build block ends by starting the host"
sed -e '$d' -e "s|^CFUNC_HOME=.*|CFUNC_HOME='$CFUNC_ROOT'|" "$T_DIR/build.sh" >"$T_DIR/build-run.sh"
if [ "$(dirname "$CFUNC")" != "$CFUNC_ROOT/build" ]; then
	# A build folder elsewhere (BUILD=...): the host is taken from there.
	sed -i "s|\$CFUNC_HOME/build/cfunc|$CFUNC|" "$T_DIR/build-run.sh"
fi
(cd "$app" && sh -e "$T_DIR/build-run.sh") >"$T_DIR/build.log" 2>&1
is "$?" "0" "the build commands run as written in an empty folder"
[ -s "$T_DIR/build.log" ] && sed 's/^/#   /' "$T_DIR/build.log"
ok "$([ -f "$app/apps/myapp.so" ]; echo $?)" "apps/myapp.so is built"
ok "$([ -f "$app/host.json" ]; echo $?)" "host.json is written"

start_host "$app" --script-root "$app"
like "$(cat "$HOST_LOG")" 'hello: \[GET,POST\] http://localhost:[0-9]+/api/hello' "the Functions list shows hello"
like "$(cat "$HOST_LOG")" 'start: \[POST\] http://localhost:[0-9]+/api/orchestrators/\{name\}' "the Functions list shows the starter"

# The curl block: each command is followed by a "# answer" line.
block 2 sh >"$T_DIR/curl.txt"
cmds=$(grep -c '^curl ' "$T_DIR/curl.txt")
is "$cmds" "3" "the README shows three curl commands"
answer() { # answer <n>: the comment line after the n-th curl command, without "# "
	awk -v want="$1" '/^curl / { n++; next } n == want && /^# / { sub(/^# /, ""); print; exit }' "$T_DIR/curl.txt"
}
command_n() { # command_n <n>: the n-th curl command, aimed at this host's port
	grep '^curl ' "$T_DIR/curl.txt" | sed -n "${1}p" | sed "s/127\.0\.0\.1:7071/127.0.0.1:$PORT/g"
}

# 1. the HTTP function: the answer is shown literally.
got=$(eval "$(command_n 1) -s")
is "$got" "$(answer 1)" "curl 1 answers what the README shows"

# 2. the starter: 202 and a check-status payload whose URL names the instance.
want2=$(answer 2)
like "$want2" '^202: ' "the README says the start answers 202"
code=$(eval "$(command_n 2) -s -o '$T_DIR/start.json' -w '%{http_code}'")
is "$code" "202" "curl 2 answers 202"
id=$(jq -r .id "$T_DIR/start.json")
like "$id" '^[0-9a-f]{32}$' "the payload has the instance id"
want_uri=$(printf '%s' "$want2" | sed -n 's/.*"statusQueryGetUri":"\([^"]*\)".*/\1/p' |
	sed -e "s/127\.0\.0\.1:7071/127.0.0.1:$PORT/" -e "s/<id>/$id/")
like "$want_uri" '^http://' "the README shows a statusQueryGetUri"
is "$(jq -r .statusQueryGetUri "$T_DIR/start.json")" "$want_uri" "statusQueryGetUri as the README shows it"

# 3. the status: polled until the instance ends, then the fields the README
# shows are compared with it.
cmd3=$(command_n 3 | sed "s/<id>/$id/g")
status=""
i=0
while [ $i -lt 200 ]; do
	body=$(eval "$cmd3 -s")
	status=$(printf '%s' "$body" | jq -r .runtimeStatus 2>/dev/null)
	case $status in Completed | Failed | Terminated) break ;; esac
	i=$((i + 1))
	sleep 0.05
done
want3=$(answer 3)
is "$status" "$(printf '%s' "$want3" | sed -n 's/.*"runtimeStatus":"\([A-Za-z]*\)".*/\1/p')" "curl 3 shows the runtimeStatus of the README"
is "$(printf '%s' "$body" | jq -c .output)" "$(printf '%s' "$want3" | sed -n 's/.*"output":\(\[[^]]*\]\).*/\1/p')" \
	"curl 3 shows the output of the README"
is "$(printf '%s' "$body" | jq -r .name)" "hello_sequence" "the instance is hello_sequence"

done_testing
