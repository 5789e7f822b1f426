#include "context.h"

#include <stdarg.h>

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
