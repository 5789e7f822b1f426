#!/bin/sh
# What a new user sees when host.json points at nothing or misspells a key:
# a line naming the location or key (and the key it is a typo of), never a
# silent empty "Functions:" list with .NET advice.
. "$(dirname "$0")/../lib.sh"
HELLO="$CFUNC_BUILD/samples/hello_http.so"
root="$T_DIR/app"

# --- a cfunc.apps folder that does not exist, next to the one meant
mkdir -p "$root/build/samples"
cp "$HELLO" "$root/build/samples/"
make_root "$root" '["build/sampels"]'
start_host "$root"
ok $? "the host still starts"
log=$(cat "$HOST_LOG")
like "$log" "\\] The folder 'build/sampels' in host.json \"cfunc.apps\" does not exist: $root/build/sampels \\(No such file or directory\\)\\. No app loads from it\\. Did you mean 'build/samples'\\?" "names the folder as written, where it looked, and the folder meant"
like "$log" "No job functions found\\. cfunc loads apps \\(\\*\\.so\\) from '$root/build/sampels' \\(host\\.json \"cfunc\\.apps\"\\)" "the empty list says where cfunc looked"
if printf '%s' "$log" | grep -q "builder.Add\\|job classes"; then ok 1 "no .NET advice"; else ok 0 "no .NET advice"; fi
stop_host

# --- a missing .so is refused by name; a good location next to it still loads
make_root "$root" '["build/samples/helo_http.so", "build/samples"]'
start_host "$root"
log=$(cat "$HOST_LOG")
like "$log" "Refusing app '$root/build/samples/helo_http.so': No such file or directory \\(host.json \"cfunc.apps\" lists 'build/samples/helo_http.so'\\)\\. Did you mean 'build/samples/hello_http.so'\\?" "missing .so: named, with the file meant"
is "$(http "$BASE/api/hello?name=x")" "200" "the existing location still serves"
is "$(grep -c 'Refusing app' "$HOST_LOG")" "1" "one line for the one missing location"
stop_host

# --- nothing near the missing name: no guess
make_root "$root" '["/nonexistent-cfunc-dir/apps"]'
start_host "$root"
log=$(cat "$HOST_LOG")
like "$log" "The folder '/nonexistent-cfunc-dir/apps' in host.json \"cfunc.apps\" does not exist: /nonexistent-cfunc-dir/apps \\(No such file or directory\\)\\. No app loads from it\\.$" "absolute path, no hint when nothing is close"
stop_host

# --- the default location (no cfunc.apps) missing is not an error, but the
# warning says which folder was meant
printf '{ "version": "2.0" }\n' >"$root/host.json"
start_host "$root"
log=$(cat "$HOST_LOG")
if printf '%s' "$log" | grep -q "does not exist"; then ok 1 "default folder missing: no error line"; else ok 0 "default folder missing: no error line"; fi
like "$log" "No job functions found\\. cfunc loads apps \\(\\*\\.so\\) from '$root/apps' \\(the default: host\\.json has no \"cfunc\\.apps\"\\)" "default folder named in the warning"
stop_host

# --- apps load, but --functions keeps none of their functions: said so
make_root "$root" '["build/samples"]'
start_host "$root" --functions nosuch
like "$(cat "$HOST_LOG")" "No job functions found\\. 1 app\\(s\\) loaded, but none has a function named in host.json \"functions\" \\(or --functions\\)\\." "a filter that keeps nothing is named as the cause"
stop_host

# --- a misspelt cfunc key stops the start, naming the key and the one meant
printf '{ "version": "2.0", "cfunc": { "aps": ["build/samples"] } }\n' >"$root/host.json"
(cd "$root" && "$CFUNC" start --port 0) >"$T_DIR/out" 2>&1
is "$?" "1" "misspelt cfunc.apps exits 1"
is "$(cat "$T_DIR/out")" "Unknown host.json property 'cfunc.aps'. Did you mean 'cfunc.apps'? ('cfunc' takes: apps, allowedHosts, stopTimeoutSeconds, workers, episodeWorkers, limits)" "the whole message: key, typo of, what the section takes"

printf '{ "version": "2.0", "cfunc": { "apps": ["build/samples"], "limits": { "maxconection": 5 } } }\n' >"$root/host.json"
(cd "$root" && "$CFUNC" start --port 0) >"$T_DIR/out" 2>&1
is "$?" "1" "misspelt nested cfunc key exits 1"
like "$(cat "$T_DIR/out")" "^Unknown host.json property 'cfunc.limits.maxconection'\\. Did you mean 'cfunc.limits.maxConnections'\\?" "nested key path and the key meant"

printf '{ "version": "2.0", "cfunc": { "apps": ["build/samples"], "colour": "blue" } }\n' >"$root/host.json"
(cd "$root" && "$CFUNC" start --port 0) >"$T_DIR/out" 2>&1
is "$?" "1" "an unknown cfunc key that is no typo also exits 1"
like "$(cat "$T_DIR/out")" "^Unknown host.json property 'cfunc.colour'\\. \\('cfunc' takes: apps," "no guess, the list instead"

printf '{ "version": "2.0", "cfnuc": { "apps": ["build/samples"] } }\n' >"$root/host.json"
(cd "$root" && "$CFUNC" start --port 0) >"$T_DIR/out" 2>&1
is "$?" "1" "a typo of the cfunc section itself exits 1"
is "$(cat "$T_DIR/out")" "Unknown host.json property 'cfnuc'. Did you mean 'cfunc'?" "names the section meant"

# keys are case-insensitive, as everywhere in host.json
printf '{ "version": "2.0", "CFUNC": { "Apps": ["build/samples"], "LIMITS": { "maxconnections": 50 } } }\n' >"$root/host.json"
start_host "$root"
ok $? "other casing of known keys is fine"
is "$(http "$BASE/api/hello?name=c")" "200" "and the apps load"
stop_host

# an environment override with a misspelt key is caught the same way
printf '{ "version": "2.0", "cfunc": { "apps": ["build/samples"] } }\n' >"$root/host.json"
(cd "$root" && AzureFunctionsJobHost__cfunc__workrs=2 "$CFUNC" start --port 0) >"$T_DIR/out" 2>&1
is "$?" "1" "misspelt key from AzureFunctionsJobHost__ exits 1"
like "$(cat "$T_DIR/out")" "^Unknown host.json property 'cfunc.workrs'\\. Did you mean 'cfunc.workers'\\?" "names the key"

# --- unknown keys elsewhere: a warning each, naming the path; the host runs
cat >"$root/host.json" <<'JSON'
{
  "version": "2.0",
  "functionTimout": "00:01:00",
  "logging": { "logLevel": { "default": "Information", "Host": "Warning" }, "loglevl": {} },
  "extensions": {
    "http": { "routePrefx": "x" },
    "durableTasks": { "hubName": "X" },
    "serviceBus": { "prefetchCount": 10 },
    "durableTask": { "hubName": "WarnHub", "storageProvider": { "synchronus": "NORMAL" } }
  },
  "cfunc": { "apps": ["build/samples"] },
  "brandNewThing": 1
}
JSON
start_host "$root"
ok $? "unknown keys outside cfunc do not stop the start"
log=$(cat "$HOST_LOG")
like "$log" "\\] Unknown host.json property 'functionTimout' is ignored\\. Did you mean 'functionTimeout'\\?" "top-level typo, with the key meant"
like "$log" "\\] Unknown host.json property 'logging.loglevl' is ignored\\. Did you mean 'logging.logLevel'\\?" "typo inside logging"
like "$log" "\\] Unknown host.json property 'extensions.http.routePrefx' is ignored\\. Did you mean 'extensions.http.routePrefix'\\?" "typo inside extensions.http"
like "$log" "\\] Unknown host.json property 'extensions.durableTask.storageProvider.synchronus' is ignored\\. Did you mean 'extensions.durableTask.storageProvider.synchronous'\\?" "typo inside the storage provider"
like "$log" "\\] host.json 'extensions.durableTasks' configures an extension cfunc does not have; it is ignored\\. Did you mean 'extensions.durableTask'\\?" "misspelt extension name"
like "$log" "\\] host.json 'extensions.serviceBus' configures an extension cfunc does not have; it is ignored\\.$" "an extension cfunc lacks"
like "$log" "\\] Unknown host.json property 'brandNewThing' is ignored\\.$" "unknown key with no near match: no guess"
if grep -q "logging.logLevel.default\\|'Host'\\|prefetchCount" "$HOST_LOG"; then ok 1 "free-form values are not checked"; else ok 0 "free-form values are not checked"; fi
is "$(grep -c 'Unknown host.json property\|configures an extension' "$HOST_LOG")" "7" "exactly one warning per unknown key"
is "$(http "$BASE/api/hello?name=w")" "200" "the host serves"
stop_host

# the repository's own host.json and the template's have no unknown key
for f in "$CFUNC_ROOT/host.json" "$CFUNC_ROOT/templates/common/host.json"; do
	name=${f#"$CFUNC_ROOT/"}
	cp "$f" "$root/host.json"
	start_host "$root"
	cp "$HOST_LOG" "$T_DIR/out"
	stop_host
	if grep -q "Unknown host.json\|configures an extension" "$T_DIR/out"; then ok 1 "$name: no warning"; else ok 0 "$name: no warning"; fi
done

done_testing
