#include "bindings/context.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void bind_ctx_init(struct bind_ctx *ctx, enum bind_ctx_kind kind, const char *function_name,
		   struct rt_arena *arena)
{
	ctx->kind = kind;
	ctx->function_name = function_name;
	ctx->arena = arena;
	ctx->last_error = NULL;
	ctx->is_replaying = NULL;
}

int bind_ctx_fail(struct bind_ctx *ctx, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ctx->last_error = rt_arena_vfmt(ctx->arena, fmt, ap);
	va_end(ap);
	return rc;
}

struct bind_ctx *bind_ctx_check(cf_ctx *p, const char *call, int null_ok)
{
	struct bind_ctx *ctx = (struct bind_ctx *)(void *)p;
	if (!ctx && null_ok)
		return NULL;
	if (!ctx || ctx->kind < BIND_CTX_APP || ctx->kind > BIND_CTX_ENTITY) {
		fprintf(stderr,
			"cfunc: fatal: %s() was given %p, which is not a cfunc handle (cf_app, cf_http, "
			"cf_orch, cf_act, cf_timer or cf_entity valid during this call); aborting\n",
			call, (void *)p);
		fflush(stderr);
		abort();
	}
	return ctx;
}
