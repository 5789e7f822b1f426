#!/bin/sh
# scripts/check-layers.sh can fail: on a copy of the layers (common/,
# runtime/, bindings/, management/, host/) with one offending line planted at
# a time, it must exit 1 and name the file and line; on the real tree it must pass. A check that never fails
# proves nothing, so every rule gets a planted breach. Rule 6 (no call
# loops) reads the objects: the copy gets the build's, and its breaches are
# small objects compiled into that copy.
. "$(dirname "$0")/../lib.sh"

script="$CFUNC_ROOT/scripts/check-layers.sh"
tree="$T_DIR/tree"
mkdir -p "$tree"
cp -R "$CFUNC_ROOT/common" "$CFUNC_ROOT/runtime" "$CFUNC_ROOT/bindings" \
	"$CFUNC_ROOT/management" "$CFUNC_ROOT/host" "$tree/"
mkdir -p "$tree/build"
cp -R "$CFUNC_BUILD/obj" "$tree/build/obj"

out=$(sh "$script" "$CFUNC_ROOT" "$CFUNC_BUILD/obj" 2>&1)
ok $? "the real tree passes"
is "$out" "check-layers: ok" "and says so"

out=$(sh "$script" "$tree" 2>&1)
ok $? "an unchanged copy passes"

# plant <file> <line of C>: appends the line; prints its line number.
plant() {
	cp "$tree/$1" "$T_DIR/saved"
	printf '%s\n' "$2" >>"$tree/$1"
	wc -l <"$tree/$1" | tr -d ' '
}
restore() { cp "$T_DIR/saved" "$tree/$1"; }

# expect_fail <file> <line of C> <regex for the reason> <description>
expect_fail() {
	n=$(plant "$1" "$2")
	out=$(sh "$script" "$tree" 2>&1)
	rc=$?
	is "$rc" "1" "$4: exits 1"
	like "$out" "check-layers: $1:$n: .*$3" "$4: names $1:$n"
	restore "$1"
}

expect_fail common/arena.c '#include <h2o.h>' 'must not include h2o' "h2o header in common/"
expect_fail runtime/history.c '#include <h2o.h>' 'must not include h2o' "h2o header in runtime/"
expect_fail management/query.c '#include "h2o.h"' 'must not include h2o' "quoted h2o header in management/"
expect_fail bindings/api.c '#include "h2o/memory.h"' 'must not include h2o' "quoted h2o header in bindings/"
expect_fail runtime/json_text.c '#include <jansson.h>' 'must not include jansson' "jansson in runtime/"
expect_fail common/utf8.c '#include "jansson.h"' 'must not include jansson' "jansson in common/"
expect_fail runtime/entity_msg.c '#include <jansson.h>' 'must not include jansson' "jansson in the entity state machine"
expect_fail common/json_read.c '  # include <jansson.h>' 'must not include jansson' "indented jansson in common/json_read.c"
expect_fail bindings/registry.c '#include <dlfcn.h>' 'must not include h2o or <dlfcn.h>' "dlfcn.h in bindings/"
expect_fail runtime/engine.c '  #  include <dlfcn.h>' 'dlfcn' "indented dlfcn.h in runtime/"
expect_fail host/http/server.c 'static void *load_it(void) { return dlopen("x.so", RTLD_NOW); }' \
	'only the loader \(host/apps.c\) may call dlopen' "dlopen outside the loader"
expect_fail runtime/store.c 'void *p = dlopen (0, 0);' 'may call dlopen' "dlopen with a space before ("

# Includes go downwards only, and name their layer.
expect_fail runtime/store.c '#include "bindings/api.h"' 'runtime/ must not include bindings/' "runtime/ including bindings/"
expect_fail common/xalloc.c '#include "runtime/store.h"' 'common/ must not include runtime/' "common/ including runtime/"
expect_fail bindings/api.c '#include "management/webhooks.h"' 'bindings/ must not include management/' "bindings/ including management/"
expect_fail management/webhooks.c '#include "host/log.h"' 'management/ must not include host/' "management/ including host/"
expect_fail host/main.c '#include "store.h"' "by their layer's path" "an include without its layer"

# Outside runtime/, only the durable client calls the engine's commands and reads.
client_rule='only the durable client \(bindings/durable_client.c\) may call'
expect_fail management/entities.c 'static int f(struct rt_engine *e) { return rt_engine_signal_entity(e, "a", "b", 0, 0, 0, 0); }' \
	"$client_rule" "an entity signal from the management API"
expect_fail bindings/durable_entity.c 'static void *g(struct rt_engine *e) { return rt_engine_reader_get (e, 0); }' \
	"$client_rule" "a reader taken by the entity bindings"
expect_fail host/endpoints/admin.c 'static int h(struct rt_engine *e) { return rt_engine_terminate(e, "x", 0, 0); }' \
	"$client_rule" "a terminate from the host"
expect_fail management/webhooks.c 'int k = rt_engine_entity_list(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);' \
	"$client_rule" "an entity listing from the management API"
expect_fail host/cli/cli_durable_offline.c 'static int m(void) { return rt_engine_purge(0, "x", 0); }' \
	"$client_rule" "a command from the offline CLI (only its history decoding is allowed)"
plant bindings/durable_client.c 'static int n(struct rt_engine *e) { return rt_engine_purge(e, "x", 0); }' >/dev/null
out=$(sh "$script" "$tree" 2>&1)
ok $? "the durable client may call the engine"
restore bindings/durable_client.c
plant management/entities.c ' * rt_engine_entity_get(s, ...) is what the client wraps' >/dev/null
out=$(sh "$script" "$tree" 2>&1)
ok $? "a comment naming an engine read passes"
restore management/entities.c
plant host/main.c 'static void w(struct rt_engine *e) { rt_engine_wake(e); }' >/dev/null
out=$(sh "$script" "$tree" 2>&1)
ok $? "engine calls that are not commands or reads (wake) pass"
restore host/main.c

# Inside management/, only the router includes the endpoint headers.
router_rule='only the router \(management/webhooks.c\) includes the endpoint headers'
expect_fail management/query.c '#include "management/webhooks.h"' "$router_rule" "a listing calling back into the router"
expect_fail management/reply.c '#include "management/entities.h"' "$router_rule" "a shared helper calling an endpoint file"
expect_fail management/entities.c '#include "management/query.h"' "$router_rule" "one endpoint file calling another"
plant management/webhooks.c '#include "management/query.h"' >/dev/null
out=$(sh "$script" "$tree" 2>&1)
ok $? "the router may include the endpoint headers"
restore management/webhooks.c

# Mentions are not breaches: a comment naming dlopen(), an h2o include inside
# a comment, and dlopen in host/apps.c (the loader) all pass.
plant host/http/server.c '/* the loader calls dlopen() once per app */' >/dev/null
out=$(sh "$script" "$tree" 2>&1)
ok $? "a comment naming dlopen() passes"
restore host/http/server.c
plant bindings/api.c ' * #include <h2o.h> is what we avoid' >/dev/null
out=$(sh "$script" "$tree" 2>&1)
ok $? "an include quoted in a block comment passes"
restore bindings/api.c
plant host/apps.c 'static void *again(void) { return dlopen("y.so", RTLD_NOW); }' >/dev/null
out=$(sh "$script" "$tree" 2>&1)
ok $? "the loader may call dlopen"
restore host/apps.c

# Two breaches are both reported, and counted.
plant common/arena.c '#include <h2o.h>' >/dev/null
cp "$T_DIR/saved" "$T_DIR/saved_arena"
plant host/endpoints/admin.c 'void *q = dlopen("z", 0);' >/dev/null
out=$(sh "$script" "$tree" 2>&1)
like "$out" "check-layers: 2 problem\\(s\\)" "two breaches are both counted"
restore host/endpoints/admin.c
cp "$T_DIR/saved_arena" "$tree/common/arena.c"

out=$(sh "$script" "$tree" 2>&1)
is "$out" "check-layers: ok" "the copy passes again once restored"

out=$(sh "$script" "$T_DIR/no-such-dir" 2>&1)
is "$?" "2" "a root that does not exist is an error, not a pass"

# Rule 6: no call loops between files, but for the allowed pair.
# plant_obj <dir/name> <C source>: compiles the source as build/obj/<dir/name>.o.
plant_obj() {
	printf '%s\n' "$2" >"$T_DIR/planted.c"
	${CC:-cc} -c -o "$tree/build/obj/$1.o" "$T_DIR/planted.c" || echo "plant_obj: cc failed for $1" >&2
	planted="$planted $tree/build/obj/$1.o"
}
unplant() {
	# shellcheck disable=SC2086 # paths under T_DIR have no spaces
	rm -f $planted
	planted=''
}
planted=''
loop_rule='these files call each other \(rule 6\)'

plant_obj runtime/plant_a 'void plant_b(void); void plant_a(void) { plant_b(); }'
out=$(sh "$script" "$tree" 2>&1)
ok $? "a file calling another that does not call back passes"
plant_obj runtime/plant_b 'void plant_a(void); void plant_b(void) { plant_a(); }'
out=$(sh "$script" "$tree" 2>&1)
is "$?" "1" "two files calling each other: exits 1"
like "$out" "check-layers: call loop: runtime/plant_a\\.c runtime/plant_b\\.c: $loop_rule" \
	"two files calling each other: names both"
like "$out" "runtime/plant_a\\.c calls runtime/plant_b\\.c: plant_b" "and what the first calls of the second"
like "$out" "runtime/plant_b\\.c calls runtime/plant_a\\.c: plant_a" "and what the second calls of the first"
like "$out" "check-layers: 1 problem\\(s\\)" "and counts the loop once"
unplant

plant_obj common/plant_c 'void plant_d(void); void plant_c(void) { plant_d(); }'
plant_obj bindings/plant_d 'void plant_e(void); void plant_d(void) { plant_e(); }'
plant_obj host/plant_e 'void plant_c(void); void plant_e(void) { plant_c(); }'
out=$(sh "$script" "$tree" 2>&1)
is "$?" "1" "three files round a loop, across layers: exits 1"
like "$out" "call loop: bindings/plant_d\\.c common/plant_c\\.c host/plant_e\\.c: $loop_rule" \
	"three files round a loop: names all three in one loop"
plant_obj management/plant_f 'void plant_g(void); void plant_f(void) { plant_g(); }'
plant_obj management/plant_g 'void plant_f(void); void plant_g(void) { plant_f(); }'
out=$(sh "$script" "$tree" 2>&1)
like "$out" "check-layers: 2 problem\\(s\\)" "two separate loops are both reported, and counted"
unplant

# The allowed pair is no free pass for a third file that joins its loop.
# The planted file calls replay.c and stands in for a symbol replay.c needs
# from replay_tasks.c (whichever the build has).
obj="$tree/build/obj/runtime"
nm -u "$obj/replay.o" | sed -n 's/^ *U //p' | sort >"$T_DIR/replay_needs"
from_tasks=$(nm -g --defined-only "$obj/replay_tasks.o" | sed -n 's/^[0-9a-fA-F]* [A-Za-z] //p' |
	sort | comm -12 "$T_DIR/replay_needs" - | head -n 1)
of_replay=$(nm -g --defined-only "$obj/replay.o" | sed -n 's/^[0-9a-fA-F]* T //p' | head -n 1)
if [ -n "$from_tasks" ] && [ -n "$of_replay" ]; then
	plant_obj runtime/plant_r "void $of_replay(void); void $from_tasks(void) { $of_replay(); }"
	out=$(sh "$script" "$tree" 2>&1)
	is "$?" "1" "a third file in the allowed pair's loop: exits 1"
	like "$out" "call loop: runtime/plant_r\\.c runtime/replay\\.c runtime/replay_tasks\\.c: $loop_rule" \
		"a third file in the allowed pair's loop: names the three"
	unplant
else
	ok 1 "replay.c needs something of replay_tasks.c (the allowed pair calls each other)"
fi

out=$(sh "$script" "$tree" 2>&1)
is "$out" "check-layers: ok" "the copy passes again once the objects are gone"
out=$(sh "$script" "$tree" "$T_DIR/no-objects" 2>&1)
is "$?" "2" "no objects to read is an error, not a pass"
like "$out" "no objects in" "and says so"

done_testing
