#!/bin/sh
# Keys and auth levels (spec: functions-host.md §6-§7): the matrix
# {anonymous, function, admin, /admin, webhooks} x {no key, wrong key,
# another function's key, function key, host key, master key, system key}
# x {x-functions-key header, ?code=}; 401 with an empty body; keys off by
# default on loopback; the admin key endpoints; no key ever in the logs.
. "$(dirname "$0")/../lib.sh"
ABI="$CFUNC_BUILD/tests/20-abi"
root="$T_DIR/auth"
make_root "$root" "[\"$ABI/testapp.so\", \"$CFUNC_BUILD/samples/durable_hello.so\"]"

# section_key <section heading> <key name>: a value from `cfunc keys list --show`.
keys_out="$T_DIR/keys"
section_key() {
	awk -v sec="$1" -v name="$2" '
		/^[A-Z].*:$/ { in_sec = ($0 == sec ":") }
		in_sec && /-> Name:/ { cur = $3 }
		in_sec && /Value:/ && cur == name { print $2; exit }' "$keys_out"
}
(cd "$root" && "$CFUNC" keys new default --function auth_function >/dev/null &&
	"$CFUNC" keys new default --function auth_other >/dev/null &&
	"$CFUNC" keys list --show >"$keys_out" &&
	"$CFUNC" keys list --show --function auth_function >"$keys_out.f" &&
	"$CFUNC" keys list --show --function auth_other >"$keys_out.o")
MASTER=$(section_key "Master Key" master)
HOSTK=$(section_key "Host Keys" default)
SYSTEM=$(section_key "System Keys" durabletask_extension)
FN=$(awk '/Value:/ { v = $2 } END { print v }' "$keys_out.f")
OTHER=$(awk '/Value:/ { v = $2 } END { print v }' "$keys_out.o")
ok "$([ ${#MASTER} -ge 43 ] && [ ${#HOSTK} -ge 43 ] && [ ${#SYSTEM} -ge 43 ] && [ ${#FN} -ge 43 ] && [ ${#OTHER} -ge 43 ]; echo $?)" "keys exist and are at least 256 bits"
is "$(stat -c %a "$root/.cfunc/secrets.json")" "600" "the key file is 0600"

# Keys are off by default on loopback, like func start.
start_host "$root"
is "$(http "$BASE/api/secure/admin")" "200" "without --enableAuth an admin function is open on loopback"
is "$(http "$BASE/admin/host/status")" "200" "so is the admin API"
stop_host

start_host "$root" --enableAuth
like "$(cat "$HOST_LOG")" "Key checks are on" "--enableAuth is announced"

# expect <path> <want for: none wrong other fn host master system>
expect() {
	path=$1
	shift
	set -- "$@"
	for how in header query; do
		i=0
		for k in "" "not-a-valid-key-0123456789012345678901234567890123" "$OTHER" "$FN" "$HOSTK" "$MASTER" "$SYSTEM"; do
			i=$((i + 1))
			eval "want=\$$i"
			label=$(echo "none wrong other-fn fn host master system" | cut -d' ' -f$i)
			if [ -z "$k" ]; then
				got=$(http "$BASE$path")
			elif [ "$how" = header ]; then
				got=$(http -H "x-functions-key: $k" "$BASE$path")
			else
				sep='?'
				case "$path" in *\?*) sep='&' ;; esac
				got=$(http "$BASE$path${sep}code=$k")
			fi
			# shellcheck disable=SC2154 # want is set by the eval above
			is "$got" "$want" "$path with $label key ($how)"
			[ "$got" = 401 ] && [ -n "$(body)" ] && ok 1 "401 has an empty body"
		done
	done
}
#                                      none wrong other fn  host master system
expect "/api/echo/x"                   200  200   200   200 200  200    200
expect "/api/secure/function"          401  401   401   200 200  200    401
expect "/api/secure/admin"             401  401   401   401 401  200    401
expect "/admin/host/status"            401  401   401   401 401  200    401
expect "/runtime/webhooks/durabletask/instances" 401 401 401 401 401 200 200
is "$(http "$BASE/admin/host/ping")" "200" "ping stays anonymous"
is "$(http -H "x-functions-key: wrong-key-wrong-key-wrong-key-wrong-key-0000" "$BASE/api/secure/function?code=$FN")" "401" "the header wins over code="

# Check-status URLs carry the system key.
is "$(http -X POST "$BASE/api/orchestrators/hello_sequence")" "202" "a start through the anonymous starter"
status_url=$(jq -r .statusQueryGetUri "$BODY_FILE")
like "$status_url" "&code=$SYSTEM\$" "statusQueryGetUri carries code=<durabletask_extension key>"
code=$(http "$status_url")
ok "$([ "$code" = 200 ] || [ "$code" = 202 ]; echo $?)" "statusQueryGetUri answers ($code)"

# Admin key endpoints (master key).
M="x-functions-key: $MASTER"
is "$(http -H "$M" "$BASE/admin/host/keys")" "200" "list host keys"
is "$(jq -r '.keys[0].name' "$BODY_FILE")" "default" "the default host key"
is "$(http -H "$M" "$BASE/admin/host/systemkeys/durabletask_extension")" "200" "read a system key"
is "$(jq -r .value "$BODY_FILE")" "$SYSTEM" "its value"
is "$(http -H "$M" -X POST "$BASE/admin/host/keys/ci")" "201" "generate a host key"
NEWK=$(jq -r .value "$BODY_FILE")
ok "$([ ${#NEWK} -ge 43 ]; echo $?)" "a generated key"
is "$(http -H "x-functions-key: $NEWK" "$BASE/api/secure/function")" "200" "the new host key opens function routes at once"
is "$(http -H "$M" -X POST "$BASE/admin/host/keys/ci")" "200" "regenerating replaces it (200)"
is "$(http -H "x-functions-key: $NEWK" "$BASE/api/secure/function")" "401" "the old value no longer works"
is "$(http -H "$M" -X PUT -d '{"name":"set","value":"0123456789abcdef0123456789abcdef-set"}' "$BASE/admin/functions/auth_function/keys/set")" "201" "set a function key"
is "$(http -H "x-functions-key: 0123456789abcdef0123456789abcdef-set" "$BASE/api/secure/function")" "200" "it opens its function"
is "$(http -H "x-functions-key: 0123456789abcdef0123456789abcdef-set" "$BASE/api/secure/other")" "401" "and not another function"
is "$(http -H "$M" -X DELETE "$BASE/admin/functions/auth_function/keys/set")" "204" "delete it"
is "$(http -H "$M" -X DELETE "$BASE/admin/functions/auth_function/keys/set")" "404" "deleting it again is 404"
is "$(http -H "$M" -X DELETE "$BASE/admin/host/systemkeys/_master")" "400" "the master key cannot be deleted"
is "$(http -H "$M" "$BASE/admin/functions/nope/keys")" "404" "keys of an unknown function"
is "$(http -H "x-functions-key: $HOSTK" "$BASE/admin/host/keys")" "401" "key endpoints need the master key"
stop_host

# A non-loopback bind turns key checks on by itself (0.0.0.0 listens on loopback too).
HOST_LOG="$T_DIR/any.log"
(cd "$root" && exec "$CFUNC" start --port 0 --address 0.0.0.0) >"$HOST_LOG" 2>&1 &
HOST_PID=$!
i=0; until grep -q "Now listening" "$HOST_LOG" || [ $i -ge 100 ]; do sleep 0.05; i=$((i + 1)); done
PORT=$(sed -n 's/.*Now listening on: http:\/\/.*:\([0-9]*\)$/\1/p' "$HOST_LOG")
is "$(http "http://127.0.0.1:$PORT/api/secure/function")" "401" "bound to 0.0.0.0, keys are checked without --enableAuth"
is "$(http -H "x-functions-key: $FN" "http://127.0.0.1:$PORT/api/secure/function")" "200" "and the function key opens it"
stop_host

# No key value ever reaches the console.
leaks=0
for k in "$MASTER" "$HOSTK" "$SYSTEM" "$FN" "$OTHER" "$NEWK"; do
	cat "$T_DIR"/*.log | grep -qF -- "$k" && leaks=$((leaks + 1))
done
is "$leaks" "0" "no generated key appears in any host log"
done_testing
