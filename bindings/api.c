/*
 * api.c - the function table (struct cf_api) and the calls common to every
 * handle: registration, settings, scratch memory, errors. Logging is
 * bind_log.c's. Trigger-specific entries live in http_trigger.c,
 * orch_trigger.c, activity_trigger.c and durable_client.c; they call
 * nothing here, so the table sits on top of them.
 */
#include "bindings/api.h"
#include "bindings/bind_log.h"
#include "bindings/activity_trigger.h"
#include "bindings/durable_api.h"
#include "bindings/durable_client.h"
#include "bindings/http_trigger.h"
#include "bindings/json_api.h"
#include "bindings/orch_trigger.h"
#include "bindings/timer_trigger.h"
#include "common/log_level.h"
#include "common/xalloc.h"
#include "bindings/entity_trigger.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cf_rc app_fail(struct bind_app *app, const char *fmt, const char *name)
{
	if (!app->error)
		app->error = xasprintf(fmt, name ? name : "(null)");
	return CF_E_INVALID;
}

static char *upper_methods(const char *methods)
{
	char *m = xstrdup(methods), *w = m;
	/* Normalise "get, post" to "GET,POST": no spaces, upper case. */
	for (const char *r = methods; *r; r++)
		if (!isspace((unsigned char)*r))
			*w++ = (char)toupper((unsigned char)*r);
	*w = '\0';
	return m;
}

static cf_rc add_function(cf_app *capp, const char *name, enum bind_fn_kind kind,
			struct bind_function **out)
{
	struct bind_app *app = (struct bind_app *)capp;
	struct bind_function *fn, *clash = NULL;
	if (!bind_function_name_valid(name))
		return app_fail(app, "invalid function name '%s'", name);
	fn = xcalloc(1, sizeof(*fn));
	fn->name = xstrdup(name);
	fn->kind = kind;
	fn->app = app;
	if (bind_registry_find(app->reg, name)) {
		clash = bind_registry_find(app->reg, name);
		if (!app->error || !app->duplicate)  {
			free(app->error);
			app->error = xasprintf("function '%s' is defined by both app '%s' and app '%s'",
					       name, clash->app->name, app->name);
		}
		app->duplicate = 1;
		free(fn->name);
		free(fn);
		return CF_E_EXISTS;
	}
	*out = fn;
	return CF_OK;
}

static cf_rc register_http(cf_app *app, const char *name, const char *methods, const char *route,
			 cf_auth_level auth, cf_http_fn f)
{
	struct bind_function *fn;
	cf_rc rc;
	if (!f)
		return app_fail((struct bind_app *)app, "function '%s' has no handler", name);
	if (auth < CF_AUTH_ANONYMOUS || auth > CF_AUTH_ADMIN)
		return app_fail((struct bind_app *)app, "function '%s' has an invalid auth level",
				name);
	if ((rc = add_function(app, name, BIND_FN_HTTP, &fn)) != CF_OK)
		return rc;
	fn->http = f;
	fn->auth = auth;
	fn->methods = methods && *methods ? upper_methods(methods) : NULL;
	fn->route = route ? xstrdup(route[0] == '/' ? route + 1 : route) : NULL;
	return bind_registry_add(((struct bind_app *)app)->reg, fn, NULL) ? CF_E_EXISTS : CF_OK;
}

static cf_rc register_orchestrator(cf_app *app, const char *name, cf_orch_fn f)
{
	struct bind_function *fn;
	cf_rc rc;
	if (!f)
		return app_fail((struct bind_app *)app, "function '%s' has no handler", name);
	if ((rc = add_function(app, name, BIND_FN_ORCHESTRATOR, &fn)) != CF_OK)
		return rc;
	fn->orch = f;
	return bind_registry_add(((struct bind_app *)app)->reg, fn, NULL) ? CF_E_EXISTS : CF_OK;
}

static cf_rc register_activity(cf_app *app, const char *name, cf_act_fn f)
{
	struct bind_function *fn;
	cf_rc rc;
	if (!f)
		return app_fail((struct bind_app *)app, "function '%s' has no handler", name);
	if ((rc = add_function(app, name, BIND_FN_ACTIVITY, &fn)) != CF_OK)
		return rc;
	fn->act = f;
	return bind_registry_add(((struct bind_app *)app)->reg, fn, NULL) ? CF_E_EXISTS : CF_OK;
}

static cf_rc register_entity(cf_app *app, const char *name, cf_entity_fn f)
{
	struct bind_function *fn;
	cf_rc rc;
	if (!f)
		return app_fail((struct bind_app *)app, "function '%s' has no handler", name);
	if ((rc = add_function(app, name, BIND_FN_ENTITY, &fn)) != CF_OK)
		return rc;
	fn->entity = f;
	return bind_registry_add(((struct bind_app *)app)->reg, fn, NULL) ? CF_E_EXISTS : CF_OK;
}

static void app_set_fini(cf_app *capp, cf_fini_fn fn, void *user)
{
	struct bind_app *app = (struct bind_app *)capp;
	app->fini = fn;
	app->fini_user = user;
}

static const char *app_name(cf_app *capp)
{
	return ((struct bind_app *)capp)->name;
}

static const char *setting(const char *name)
{
	/* local.settings.json Values were exported at start-up (real env wins);
	 * the environment is never modified afterwards, so getenv is safe here. */
	return name ? getenv(name) : NULL;
}

static void *alloc(cf_ctx *p, size_t n)
{
	return rt_arena_alloc(bind_ctx_check(p, "cf_alloc", 0)->arena, n);
}

static char *vfmt(cf_ctx *p, const char *fmt, va_list ap)
{
	return rt_arena_vfmt(bind_ctx_check(p, "cf_fmt", 0)->arena, fmt ? fmt : "", ap);
}

static const char *last_error(cf_ctx *p)
{
	struct bind_ctx *ctx = bind_ctx_check(p, "cf_last_error", 1);
	return ctx ? ctx->last_error : NULL;
}

const struct cf_api bind_api = {
	.abi_major = CF_ABI_MAJOR,
	.abi_minor = CF_ABI_MINOR,
	.size = sizeof(struct cf_api),

	.register_http = register_http,
	.register_orchestrator = register_orchestrator,
	.register_activity = register_activity,
	.app_set_fini = app_set_fini,
	.app_name = app_name,

	.setting = setting,
	.logv = bind_logv,
	.alloc = alloc,
	.vfmt = vfmt,
	.last_error = last_error,

	.http_method = bind_http_method,
	.http_url = bind_http_url,
	.http_path = bind_http_path,
	.http_route_param = bind_http_route_param,
	.http_query = bind_http_query_api,
	.http_header = bind_http_header_api,
	.http_header_count = bind_http_header_count,
	.http_header_at = bind_http_header_at,
	.http_body = bind_http_body,
	.http_function_name = bind_http_function_name,
	.http_set_status = bind_http_set_status,
	.http_add_header = bind_http_add_header,
	.http_set_body = bind_http_set_body,

	BIND_ORCH_API_ENTRIES
	BIND_ACT_API_ENTRIES
	BIND_DURABLE_API_ENTRIES
	BIND_JSON_API_ENTRIES
	BIND_TIMER_API_ENTRIES

	.register_entity = register_entity,
	BIND_ENTITY_API_ENTRIES
};
