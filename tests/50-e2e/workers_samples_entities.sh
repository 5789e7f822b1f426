#!/bin/sh
# workers_samples_entities.sh - samples_entities.sh again (a counter, calls
# and signals, entity-to-entity signals and starts, rollback of a failed
# operation, an aggregator, transfers in a critical section, the locking
# rules) with every entity batch running in a worker process: the same
# assertions hold with --worker-processes. Its TAP output is that test's.
set -u
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# A cfunc that starts hosts with --worker-processes.
cat >"$dir/cfunc" <<SH
#!/bin/sh
if [ "\$1" = start ]; then
	shift
	exec "$CFUNC" start --worker-processes "\$@"
fi
exec "$CFUNC" "\$@"
SH
chmod +x "$dir/cfunc"
CFUNC="$dir/cfunc" sh "$CFUNC_ROOT/tests/50-e2e/samples_entities.sh"
