#!/bin/sh
# apps_location.sh - a location in host.json cfunc.apps that does not exist
# is named on the console, and a host with no function says where it
# looked, instead of an empty list and .NET advice.
. "$CFUNC_ROOT/tests/lib.sh"

R="$T_DIR/app"
make_root "$R" '["no_such_folder", "missing.so"]'
start_host "$R"
ok $? "the host still starts"
log=$(cat "$HOST_LOG")
like "$log" "No app folder '$R/no_such_folder' \(host.json cfunc.apps\): No such file or directory" \
	"a missing folder is named, with the setting it came from"
like "$log" "Refusing app '$R/missing.so': No such file or directory" "a missing file is named"
like "$log" "No functions found: no app was loaded from the 2 location\(s\) of host.json cfunc.apps:" \
	"an empty host says where it looked"
ok $(printf '%s' "$log" | grep -q "builder.AddAzureStorage"; [ $? -ne 0 ]; echo $?) "and gives no .NET advice"
stop_host TERM
is "$HOST_RC" 0 "the host stops cleanly"
done_testing
