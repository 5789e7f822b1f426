#!/bin/sh
# ABI 2.2's entity handle as an app author meets it: cf_entity * is a
# handle for the common helpers in C11 and C++ (checked at compile time),
# through cf_entity_ctx() in C99, and the entity calls compile everywhere.
. "$(dirname "$0")/../lib.sh"
INC="$CFUNC_ROOT/include"
CC=${CC:-cc}
CXX=${CXX:-g++}

cat >"$T_DIR/entity.h" <<'EOF2'
#include <cfunc.h>
static cf_rc f(cf_entity *e);
static cf_rc f(cf_entity *e)
{
	const char *json = "{}";
	(void)json;
	ARG_USE;
	return CF_OK;
}
EOF2
compiles() { # compiles <lang> <expression>
	_src="$T_DIR/use.$1"
	printf '#define ARG_USE %s\n#include "%s"\n' "$2" "$T_DIR/entity.h" >"$_src"
	case $1 in
	c11) "$CC" -std=c11 -Wall -Wextra -Werror -I"$INC" -x c -fsyntax-only "$_src" 2>"$T_DIR/cc.err" ;;
	c99) "$CC" -std=c99 -pedantic -Wall -Wextra -Werror -I"$INC" -x c -fsyntax-only "$_src" 2>"$T_DIR/cc.err" ;;
	cxx) "$CXX" -std=c++17 -pedantic -Wall -Wextra -Werror -I"$INC" -x c++ -fsyntax-only "$_src" 2>"$T_DIR/cc.err" ;;
	esac
}
CALLS='cf_entity_set_state(e, cf_entity_state(e)); cf_entity_delete_state(e); cf_entity_return(e, cf_entity_input(e)); cf_entity_signal(e, cf_entity_name(e), cf_entity_key(e), cf_entity_op(e), NULL, 0); cf_entity_start_orchestration(e, "o", NULL, NULL); cf_entity_fail(e, "x")'
for lang in c11 cxx; do
	compiles $lang 'cf_log(e, CF_LOG_INFO, "x %d", 1); cf_fmt(e, "%d", 1); cf_alloc(e, 8); cf_json_get(e, json, "k"); cf_last_error(e)'
	ok $? "$lang: the common helpers take a cf_entity *"
	compiles $lang "$CALLS"
	ok $? "$lang: every cf_entity_* call compiles"
done
compiles c99 'cf_log(cf_entity_ctx(e), CF_LOG_INFO, "x"); cf_fmt(cf_entity_ctx(e), "%d", 1)'
ok $? "c99 -pedantic: the helpers on cf_entity_ctx(e) compile"
compiles c99 "$CALLS"
ok $? "c99 -pedantic: every cf_entity_* call compiles"
if compiles c11 'cf_log((cf_task *)0, CF_LOG_INFO, "x")'; then refused=1; else refused=0; fi
ok "$refused" "c11: a cf_task * is still no handle"
is "$(sed -n 's/^#define CF_ABI_MINOR \([0-9]*\).*/\1/p' "$INC/cfunc.h")" "2" "cfunc.h is ABI minor 2"
done_testing
