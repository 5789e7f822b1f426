/*
 * context.h - what every handle given to app code starts with.
 *
 * cf_app, cf_http, cf_orch and cf_act are all `struct bind_ctx` underneath,
 * so the common calls (cf_log, cf_alloc, cf_fmt, cf_last_error) work on any
 * of them. The handle is valid only during the call that passed it.
 */
#ifndef BIND_CONTEXT_H
#define BIND_CONTEXT_H

#include <stdarg.h>

#include "arena.h"

enum bind_ctx_kind {
	BIND_CTX_APP = 0x43460001, /* magic-ish values catch a wrong pointer early */
	BIND_CTX_HTTP,
	BIND_CTX_ORCH,
	BIND_CTX_ACT,
};

struct bind_ctx {
	enum bind_ctx_kind kind;
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

#endif
