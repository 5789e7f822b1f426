/*
 * context.h - what every handle given to app code starts with.
 *
 * cf_app, cf_http, cf_orch and cf_act are all `struct bind_ctx` underneath,
 * so the common calls (cf_log, cf_alloc, cf_fmt, cf_last_error, cf_json_*)
 * work on any of them through a cf_ctx *. The handle is valid only during
 * the call that passed it. The header checks the handle's type at compile
 * time where the language allows; bind_ctx_check() checks it again at run
 * time, because C99 apps, void pointers and casts get past the compiler.
 */
#ifndef BIND_CONTEXT_H
#define BIND_CONTEXT_H

#include <stdarg.h>

#include "common/arena.h"
#include "cfunc.h"

enum bind_ctx_kind {
	BIND_CTX_APP = 0x43460001, /* unlikely values, so a stray pointer fails the check */
	BIND_CTX_HTTP,
	BIND_CTX_ORCH,
	BIND_CTX_ACT,
	BIND_CTX_TIMER,
	BIND_CTX_ENTITY, /* last: bind_ctx_check tests the range */
};

struct bind_ctx {
	enum bind_ctx_kind kind;    /* first: bind_ctx_check reads it */
	const char *function_name;  /* log category Function.<name>.User; NULL for apps */
	struct rt_arena *arena;     /* SCRATCH of this invocation */
	const char *last_error;     /* in arena (or static); NULL when none */
	/* Orchestrators: replay-safe logging asks this; NULL elsewhere. */
	int (*is_replaying)(struct bind_ctx *ctx);
};

void bind_ctx_init(struct bind_ctx *ctx, enum bind_ctx_kind kind, const char *function_name,
		   struct rt_arena *arena);
/* Records a formatted error message for cf_last_error(); returns `rc`. */
int bind_ctx_fail(struct bind_ctx *ctx, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * The bind_ctx behind a cf_ctx * an app passed to `call` (a name such as
 * "cf_alloc", for the message). NULL is returned as NULL when null_ok;
 * anything that is not a handle (by its kind) prints why to stderr and aborts the
 * host: the app would otherwise write through a wild pointer.
 */
struct bind_ctx *bind_ctx_check(cf_ctx *p, const char *call, int null_ok);

#endif
