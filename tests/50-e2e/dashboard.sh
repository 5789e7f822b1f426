#!/bin/sh
# The dashboard in a real browser (headless Debian chromium driven by
# playwright-core, dashboard/tests/dashboard.test.mjs): list, filters,
# paging, detail, timeline, every action, bulk actions, the start form,
# hostile payloads, the functions page, and not one request to another
# origin. Screenshots of the main views go to build/dashboard-screens/.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/dashboard.inc"
S="$CFUNC_BUILD/samples"
root="$T_DIR/app"
make_root "$root" "[\"$S/durable_hello.so\", \"$S/approval.so\", \"$S/fan_out_fan_in.so\", \"$S/eternal.so\", \"$S/sub_orchestration.so\"]"
start_host "$root" --ephemeral
ok $? "host starts"
like "$(cat "$HOST_LOG")" "Dashboard: http://localhost:$PORT/admin/dashboard/" "the start-up banner prints the dashboard's URL"
dash_run dashboard.test.mjs
stop_host
done_testing
