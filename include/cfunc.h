/*
 * cfunc.h - the one header a cfunc function app includes.
 *
 * An app is a shared object with exactly one exported symbol, cf_app_entry,
 * defined by CF_APP_INIT(). The host calls it once after dlopen() with a
 * table of host functions (struct cf_api); the app registers its functions
 * from there and never links against host symbols.
 *
 * Languages: C11 and later get compile-time checked handles (see "Common
 * helpers"); C99 (-std=c99 -pedantic) and C++ (g++ -std=c++11 and later)
 * compile this header cleanly too. Only <stddef.h>, <stdint.h> and
 * <stdarg.h> are included.
 *
 * ABI rules
 *   - CF_ABI_MAJOR changes break apps: the host refuses another major.
 *   - CF_ABI_MINOR changes only add, never change or remove:
 *       * function-table members go at the end of struct cf_api;
 *       * fields go at the end of a struct the app passes by pointer (every
 *         such struct starts with `uint32_t size`, set by its CF_*_INIT
 *         macro, so the host knows which fields the app knows about);
 *       * flag bits are new CF_* bits of an existing `unsigned flags`
 *         argument (a host refuses bits it does not know with CF_E_INVALID);
 *       * codes are new cf_rc values.
 *     An app built against a newer minor than the host refuses to load (it
 *     could call past the end of the table); an older one loads fine.
 *
 * Ownership rules, repeated above each function
 *   (1) BORROWED: what the host gives you (request data, inputs, task results)
 *       stays valid until your function returns, not longer.
 *   (2) COPIED: what you give the host (names, bodies, headers, JSON) is
 *       copied before the call returns, so stack buffers and string literals
 *       are fine.
 *   (3) SCRATCH: cf_alloc()/cf_fmt() memory, and strings the host makes for
 *       you, belong to the current invocation (or orchestrator episode) and
 *       are freed after it returns.
 *   (4) App globals: malloc them in your init function, free them in the
 *       fini callback given to cf_app_set_fini().
 *
 * Every handle (cf_app, cf_http, cf_orch, cf_act, cf_task, cf_timer, cf_entity)
 * is opaque and is
 * valid only during the call that passed it to you.
 *
 * JSON values cross this boundary as JSON text ("\"Tokyo\"", "[1,2]", "null").
 */
#ifndef CFUNC_H
#define CFUNC_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

/* 2.0: flags instead of boolean ints, sized structs, typed handles, one
 * result type, named entry codes, cf_orch_send_event. */
#define CF_ABI_MAJOR 2
/* 2.1: timer triggers (cf_register_timer, cf_timer_*)
 * 2.2: durable entities (cf_register_entity, cf_entity_*, cf_call_entity,
 *      cf_signal_entity, cf_lock_entities, cf_durable_signal_entity, ...) */
#define CF_ABI_MINOR 2

#if defined(__GNUC__)
#define CF__EXPORT __attribute__((visibility("default")))
#define CF__PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define CF__EXPORT
#define CF__PRINTF(fmt, args)
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cf_app cf_app;   /* the app being initialised */
typedef struct cf_http cf_http; /* one HTTP invocation */
typedef struct cf_orch cf_orch; /* one orchestrator episode */
typedef struct cf_act cf_act;   /* one activity attempt */
typedef struct cf_task cf_task; /* a durable task inside an episode */
typedef struct cf_timer cf_timer; /* one timer-trigger invocation (ABI 2.1) */
typedef struct cf_entity cf_entity; /* one entity operation (ABI 2.2) */
/* Any of cf_app, cf_http, cf_orch, cf_act, seen through the calls they all
 * share (cf_log, cf_alloc, cf_fmt, cf_last_error, cf_json_*). Get one with
 * cf_app_ctx() and friends; C11 and C++ convert for you. */
typedef struct cf_ctx cf_ctx;

/* The result of every call that returns a status. Negative values are errors. */
typedef enum {
	CF_OK = 0,
	CF_PENDING = 1,        /* orchestrators: "not yet", the episode ends */
	CF_ERROR = -1,         /* generic failure; text via cf_last_error() */
	CF_E_NOTFOUND = -2,    /* unknown instance or function; absent JSON member */
	CF_E_GONE = -3,        /* instance is in a terminal state */
	CF_E_STATE = -4,       /* operation not valid in the current state */
	CF_E_INVALID = -5,     /* bad argument: id, name, JSON, flags */
	CF_E_EXISTS = -6,      /* instance id in use by a running instance */
	/* Returned only by cf_app_entry (CF_APP_INIT), never by init: */
	CF_E_ABI_MAJOR = -100, /* the host has another CF_ABI_MAJOR */
	CF_E_ABI_MINOR = -101  /* the host has an older minor (shorter table) */
} cf_rc;

/* Log levels, the same names and order as host.json logging.logLevel. */
typedef enum {
	CF_LOG_TRACE = 0,
	CF_LOG_DEBUG = 1,
	CF_LOG_INFO = 2,
	CF_LOG_WARNING = 3,
	CF_LOG_ERROR = 4,
	CF_LOG_CRITICAL = 5
} cf_log_level;

/* HTTP authLevel of a function (spec: functions-host.md section 6). */
typedef enum {
	CF_AUTH_ANONYMOUS = 0,
	CF_AUTH_FUNCTION = 1,
	CF_AUTH_ADMIN = 2
} cf_auth_level;

/* cf_durable_status() flags. 0 = the management API's defaults: input,
 * no history. */
#define CF_STATUS_NO_INPUT 0x1u       /* showInput=false: "input" is null */
#define CF_STATUS_HISTORY 0x2u        /* showHistory=true: "historyEvents" */
#define CF_STATUS_HISTORY_OUTPUT 0x4u /* showHistoryOutput=true (with HISTORY) */

/* cf_orch_continue_as_new() flags. 0 = buffered events are dropped. */
#define CF_CONTINUE_KEEP_EVENTS 0x1u /* carry unprocessed buffered events over */

/* cf_durable_restart() flags. 0 = restart under the same instance id. */
#define CF_RESTART_NEW_INSTANCE_ID 0x1u /* start the copy under a new id */

/*
 * Retry policy for activities and sub-orchestrations, passed by pointer and
 * COPIED. Always start from CF_RETRY_INIT, which sets `size`; fields added
 * by later minors take their defaults for apps that do not know them.
 * Times in milliseconds; 0 in an optional field means "unbounded"
 * (max_interval_ms, timeout_ms) or 1.0 (backoff_coefficient).
 */
struct cf_retry {
	uint32_t size;             /* sizeof(struct cf_retry), set by CF_RETRY_INIT */
	int max_attempts;          /* >= 1, counts the first attempt; required */
	int64_t first_interval_ms; /* > 0; required */
	double backoff_coefficient;
	int64_t max_interval_ms;
	int64_t timeout_ms;
};
/* struct cf_retry r = CF_RETRY_INIT(5000, 3); r.backoff_coefficient = 2; */
#define CF_RETRY_INIT(first_interval_ms, max_attempts) \
	{ (uint32_t)sizeof(struct cf_retry), (max_attempts), (first_interval_ms), 0.0, 0, 0 }

/*
 * What an app was built against, written by cf_app_entry before it checks
 * anything, so the host can name both versions when it refuses an app. The
 * host owns it and sets `size`; its three members never change.
 */
struct cf_app_abi {
	uint32_t size;      /* sizeof(struct cf_app_abi), set by the host */
	uint32_t abi_major; /* CF_ABI_MAJOR of the app's cfunc.h */
	uint32_t abi_minor; /* CF_ABI_MINOR of the app's cfunc.h */
};
#define CF_APP_ABI_INIT { (uint32_t)sizeof(struct cf_app_abi), 0, 0 }

typedef cf_rc (*cf_http_fn)(cf_http *h);
typedef cf_rc (*cf_orch_fn)(cf_orch *o);
typedef cf_rc (*cf_act_fn)(cf_act *a);
typedef void (*cf_fini_fn)(void *user);
typedef cf_rc (*cf_timer_fn)(cf_timer *t);
typedef cf_rc (*cf_entity_fn)(cf_entity *e);

/* cf_register_timer() flags (ABI 2.1). 0 = func's defaults: no run on start-up,
 * useMonitor on unless occurrences are less than a minute apart. */
#define CF_TIMER_RUN_ON_STARTUP 0x1u /* runOnStartup: true */
#define CF_TIMER_NO_MONITOR 0x2u     /* useMonitor: false */

/*
 * The host function table. Append-only: new members go at the end, and
 * `size` tells how much of it this host provides. Apps call these through
 * the static inline wrappers below, never directly.
 */
struct cf_api {
	uint32_t abi_major;
	uint32_t abi_minor;
	uint32_t size; /* sizeof(struct cf_api) on the host */

	/* registration (ABI 2.0) */
	cf_rc (*register_http)(cf_app *, const char *name, const char *methods, const char *route,
			       cf_auth_level auth, cf_http_fn fn);
	cf_rc (*register_orchestrator)(cf_app *, const char *name, cf_orch_fn fn);
	cf_rc (*register_activity)(cf_app *, const char *name, cf_act_fn fn);
	void (*app_set_fini)(cf_app *, cf_fini_fn fn, void *user);
	const char *(*app_name)(cf_app *);

	/* common to every handle (ABI 2.0) */
	const char *(*setting)(const char *name);
	void (*logv)(cf_ctx *, cf_log_level level, const char *fmt, va_list ap);
	void *(*alloc)(cf_ctx *, size_t n);
	char *(*vfmt)(cf_ctx *, const char *fmt, va_list ap);
	const char *(*last_error)(cf_ctx *);

	/* HTTP request (ABI 2.0) */
	const char *(*http_method)(cf_http *);
	const char *(*http_url)(cf_http *);
	const char *(*http_path)(cf_http *);
	const char *(*http_route_param)(cf_http *, const char *name);
	const char *(*http_query)(cf_http *, const char *name);
	const char *(*http_header)(cf_http *, const char *name);
	size_t (*http_header_count)(cf_http *);
	cf_rc (*http_header_at)(cf_http *, size_t i, const char **name, const char **value);
	const char *(*http_body)(cf_http *, size_t *len);
	const char *(*http_function_name)(cf_http *);

	/* HTTP response (ABI 2.0) */
	void (*http_set_status)(cf_http *, int status);
	cf_rc (*http_add_header)(cf_http *, const char *name, const char *value);
	void (*http_set_body)(cf_http *, const void *data, size_t len);

	/* orchestrator context (ABI 2.0) */
	const char *(*orch_input)(cf_orch *);
	const char *(*orch_instance_id)(cf_orch *);
	const char *(*orch_name)(cf_orch *);
	int64_t (*orch_now)(cf_orch *);
	int (*orch_is_replaying)(cf_orch *);
	const char *(*orch_new_uuid)(cf_orch *);
	cf_rc (*orch_set_custom_status)(cf_orch *, const char *json);
	cf_task *(*call_activity)(cf_orch *, const char *name, const char *input_json,
				  const struct cf_retry *retry);
	cf_task *(*call_sub_orchestrator)(cf_orch *, const char *name, const char *instance_id,
					  const char *input_json, const struct cf_retry *retry);
	cf_task *(*create_timer)(cf_orch *, int64_t fire_at_ms);
	cf_task *(*wait_for_event)(cf_orch *, const char *name);
	cf_task *(*when_all)(cf_orch *, cf_task *const *tasks, size_t n);
	cf_task *(*when_any)(cf_orch *, cf_task *const *tasks, size_t n);
	cf_rc (*await)(cf_orch *, cf_task *task, const char **result_json);
	const char *(*task_result)(cf_task *);
	const char *(*task_error)(cf_task *);
	cf_task *(*task_winner)(cf_task *any);
	void (*task_cancel)(cf_task *timer);
	cf_rc (*orch_finish)(cf_orch *, const char *output_json);
	cf_rc (*orch_fail)(cf_orch *, const char *message);
	cf_rc (*orch_continue_as_new)(cf_orch *, const char *input_json, unsigned flags);
	cf_rc (*orch_send_event)(cf_orch *, const char *instance_id, const char *name,
				 const char *data_json);

	/* activity context (ABI 2.0) */
	const char *(*act_input)(cf_act *);
	const char *(*act_name)(cf_act *);
	const char *(*act_instance_id)(cf_act *);
	const char *(*act_idempotency_key)(cf_act *);
	cf_rc (*act_return)(cf_act *, const char *result_json);
	cf_rc (*act_fail)(cf_act *, const char *message);

	/* durable client, usable from HTTP functions (ABI 2.0) */
	cf_rc (*durable_start)(cf_http *, const char *orch_name, const char *instance_id,
			       const char *input_json, const char **out_id);
	cf_rc (*durable_status)(cf_http *, const char *instance_id, unsigned flags,
				const char **out_json);
	cf_rc (*durable_raise_event)(cf_http *, const char *instance_id, const char *event,
				     const char *data_json);
	cf_rc (*durable_terminate)(cf_http *, const char *instance_id, const char *reason);
	cf_rc (*durable_suspend)(cf_http *, const char *instance_id, const char *reason);
	cf_rc (*durable_resume)(cf_http *, const char *instance_id, const char *reason);
	cf_rc (*durable_rewind)(cf_http *, const char *instance_id, const char *reason);
	cf_rc (*durable_restart)(cf_http *, const char *instance_id, unsigned flags,
				 const char **out_id);
	cf_rc (*durable_purge)(cf_http *, const char *instance_id);
	cf_rc (*durable_check_status_response)(cf_http *, const char *instance_id);
	cf_rc (*durable_wait_or_check_status_response)(cf_http *, const char *instance_id,
							int64_t timeout_ms, int64_t retry_ms);

	/* JSON helpers (ABI 2.0): handle, JSON text, key, then out pointers */
	const char *(*json_quote)(cf_ctx *, const char *s);
	const char *(*json_get)(cf_ctx *, const char *json, const char *key);
	const char *(*json_string)(cf_ctx *, const char *json, const char *key);
	cf_rc (*json_number)(cf_ctx *, const char *json, const char *key, double *out);
	cf_rc (*json_bool)(cf_ctx *, const char *json, const char *key, int *out);
	cf_rc (*json_length)(cf_ctx *, const char *json, const char *key, size_t *out);
	cf_rc (*json_check)(cf_ctx *, const char *json);

	/* timer trigger (ABI 2.1) */
	cf_rc (*register_timer)(cf_app *, const char *name, const char *schedule, unsigned flags,
				cf_timer_fn fn);
	const char *(*timer_info)(cf_timer *);
	cf_http *(*timer_durable_client)(cf_timer *);

	/* durable entities (ABI 2.2) */
	cf_rc (*register_entity)(cf_app *, const char *name, cf_entity_fn fn);
	const char *(*entity_name)(cf_entity *);
	const char *(*entity_key)(cf_entity *);
	const char *(*entity_op)(cf_entity *);
	const char *(*entity_input)(cf_entity *);
	const char *(*entity_state)(cf_entity *);
	cf_rc (*entity_set_state)(cf_entity *, const char *json);
	void (*entity_delete_state)(cf_entity *);
	cf_rc (*entity_return)(cf_entity *, const char *json);
	cf_rc (*entity_fail)(cf_entity *, const char *message);
	cf_rc (*entity_signal)(cf_entity *, const char *name, const char *key, const char *op,
			       const char *input_json, int64_t at_ms);
	cf_rc (*entity_start_orchestration)(cf_entity *, const char *orch_name,
					    const char *instance_id, const char *input_json);
	cf_task *(*call_entity)(cf_orch *, const char *name, const char *key, const char *op,
				const char *input_json);
	cf_rc (*orch_signal_entity)(cf_orch *, const char *name, const char *key, const char *op,
				    const char *input_json, int64_t at_ms);
	cf_task *(*lock_entities)(cf_orch *, const char *const *names, const char *const *keys,
				  size_t n);
	cf_rc (*unlock_entities)(cf_orch *);
	cf_rc (*durable_signal_entity)(cf_http *, const char *name, const char *key, const char *op,
				       const char *input_json, int64_t at_ms);
	cf_rc (*durable_read_entity)(cf_http *, const char *name, const char *key,
				     const char **out_state);
	cf_rc (*durable_clean_entity_storage)(cf_http *, int64_t *removed, int64_t *released);
};

/* Set by cf_app_entry before your init runs; one copy per app. */
extern const struct cf_api *cf__api;

/* ------------------------------------------------------------------ */
/* App entry point                                                      */
/* ------------------------------------------------------------------ */

/*
 * CF_APP_INIT(init) defines the app's only exported symbol:
 *
 *   cf_rc cf_app_entry(const struct cf_api *api, cf_app *app, struct cf_app_abi *built)
 *
 * It writes CF_ABI_MAJOR/MINOR into *built, returns CF_E_ABI_MAJOR for a host
 * of another major and CF_E_ABI_MINOR for an older minor than the app was
 * built for (the table would be too short), then stores `api` and returns
 * init(app). init returns CF_OK, or an error code (log the reason first with
 * cf_log(app, CF_LOG_ERROR, ...)); the host then refuses the app and serves
 * the others. Use it once per app, in one source file, at file scope.
 */
typedef cf_rc (*cf_app_entry_fn)(const struct cf_api *api, cf_app *app, struct cf_app_abi *built);
CF__EXPORT cf_rc cf_app_entry(const struct cf_api *api, cf_app *app, struct cf_app_abi *built);

#define CF_APP_INIT(init)                                                                  \
	const struct cf_api *cf__api;                                                      \
	CF__EXPORT cf_rc cf_app_entry(const struct cf_api *api, cf_app *app,               \
				      struct cf_app_abi *built)                            \
	{                                                                                  \
		built->abi_major = CF_ABI_MAJOR;                                           \
		built->abi_minor = CF_ABI_MINOR;                                           \
		if (api->abi_major != CF_ABI_MAJOR)                                        \
			return CF_E_ABI_MAJOR;                                             \
		if ((long long)api->abi_minor < (long long)CF_ABI_MINOR ||                \
		    api->size < sizeof(struct cf_api))                                     \
			return CF_E_ABI_MINOR;                                             \
		cf__api = api;                                                             \
		return init(app);                                                          \
	}

/* ------------------------------------------------------------------ */
/* Registration (call only from your init function)                    */
/* ------------------------------------------------------------------ */

/*
 * Registers an HTTP-triggered function.
 *   name:    function name, ^[A-Za-z][A-Za-z0-9_-]{0,127}$, unique across apps
 *            (case-insensitive).
 *   methods: comma-separated, e.g. "GET,POST"; NULL = every method.
 *   route:   template under the routePrefix, e.g. "hello/{name?}";
 *            NULL = the function name.
 * All strings are COPIED. Returns CF_OK, CF_E_INVALID (reason in the host
 * log) or CF_E_EXISTS (the name is taken).
 */
static inline cf_rc cf_register_http(cf_app *app, const char *name, const char *methods,
				     const char *route, cf_auth_level auth, cf_http_fn fn)
{
	return cf__api->register_http(app, name, methods, route, auth, fn);
}

/* Registers an orchestrator function. `name` is COPIED. CF_OK, CF_E_INVALID,
 * CF_E_EXISTS. */
static inline cf_rc cf_register_orchestrator(cf_app *app, const char *name, cf_orch_fn fn)
{
	return cf__api->register_orchestrator(app, name, fn);
}

/* Registers an activity function. `name` is COPIED. CF_OK, CF_E_INVALID,
 * CF_E_EXISTS. */
static inline cf_rc cf_register_activity(cf_app *app, const char *name, cf_act_fn fn)
{
	return cf__api->register_activity(app, name, fn);
}

/* fn(user) runs once when the host unloads the app; `user` stays yours. */
static inline void cf_app_set_fini(cf_app *app, cf_fini_fn fn, void *user)
{
	cf__api->app_set_fini(app, fn, user);
}

/* The app's name (its file name without .so). BORROWED for the app's life. */
static inline const char *cf_app_name(cf_app *app)
{
	return cf__api->app_name(app);
}

/* ------------------------------------------------------------------ */
/* Common helpers: cf_log, cf_alloc, cf_fmt, cf_last_error, cf_json_*  */
/*                                                                      */
/* Their first argument is a handle: cf_app *, cf_http *, cf_orch *,    */
/* cf_act *, cf_timer *, cf_entity * or cf_ctx *. In C11 and C++ anything else (a cf_task *, a    */
/* char *, a struct pointer) is a compile error; a void * is accepted in */
/* C11 and checked at run time only. In C99, where _Generic is missing,  */
/* pass a cf_ctx * made by one of the four functions below, e.g.         */
/* cf_log(cf_http_ctx(h), CF_LOG_INFO, "hi"). Whatever the language, the */
/* host checks the handle at run time and aborts the host with a message */
/* naming the call when it is not a cfunc handle. Only cf_log and        */
/* cf_last_error accept NULL (nullptr in C++) as "no handle".            */
/* These eleven names are macros, so that they can look at the handle's */
/* type; each evaluates its arguments once. The functions behind them    */
/* (cf__log, cf__alloc, ...) are the header's own: do not call them.     */
/* ------------------------------------------------------------------ */

static inline cf_ctx *cf_app_ctx(cf_app *app) { return (cf_ctx *)(void *)app; }
static inline cf_ctx *cf_http_ctx(cf_http *h) { return (cf_ctx *)(void *)h; }
static inline cf_ctx *cf_orch_ctx(cf_orch *o) { return (cf_ctx *)(void *)o; }
static inline cf_ctx *cf_act_ctx(cf_act *a) { return (cf_ctx *)(void *)a; }
static inline cf_ctx *cf_timer_ctx(cf_timer *t) { return (cf_ctx *)(void *)t; }
static inline cf_ctx *cf_entity_ctx(cf_entity *e) { return (cf_ctx *)(void *)e; }

/* CF__CTX(x): x as a cf_ctx *, a compile error for a non-handle. */
#if defined(__cplusplus)
#define CF__CTX(x) cf__ctx(x) /* overloads at the end of this header */
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
static inline cf_ctx *cf__ctx_self(cf_ctx *c) { return c; }
static inline cf_ctx *cf__ctx_unchecked(void *p) { return (cf_ctx *)p; }
#define CF__CTX(x)                                                      \
	_Generic((x), cf_app *: cf_app_ctx, cf_http *: cf_http_ctx,     \
		 cf_orch *: cf_orch_ctx, cf_act *: cf_act_ctx,          \
		 cf_timer *: cf_timer_ctx, cf_entity *: cf_entity_ctx,   \
		 cf_ctx *: cf__ctx_self, void *: cf__ctx_unchecked)(x)
#else
#define CF__CTX(x) (x) /* C99: must already be a cf_ctx * */
#endif

/*
 * An app setting: a `Values` entry of local.settings.json, or the process
 * environment, which wins when it is set and non-empty. NULL when unset.
 * `name` is BORROWED; the result is BORROWED for the life of the host process.
 */
static inline const char *cf_setting(const char *name)
{
	return cf__api->setting(name);
}

/*
 * cf_log(ctx, level, fmt, ...) logs one line to the host console under
 * category Function.<Name>.User (App.<name> for a cf_app, App.User for
 * NULL). In an orchestrator, lines are dropped while the episode is
 * replaying, so each appears once (replay-safe logging). `fmt` is
 * printf-style; the text is COPIED.
 */
#define cf_log(ctx, ...) cf__log(CF__CTX(ctx), __VA_ARGS__)
CF__PRINTF(3, 4)
static inline void cf__log(cf_ctx *ctx, cf_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cf__api->logv(ctx, level, fmt, ap);
	va_end(ap);
}

/* cf_alloc(ctx, n): n bytes of SCRATCH memory, aligned for any type, freed
 * after the invocation/episode; aborts the host on OOM. */
#define cf_alloc(ctx, n) cf__alloc(CF__CTX(ctx), (n))
static inline void *cf__alloc(cf_ctx *ctx, size_t n)
{
	return cf__api->alloc(ctx, n);
}

/* cf_fmt(ctx, fmt, ...): printf into SCRATCH memory; handy for building JSON. */
#define cf_fmt(ctx, ...) cf__fmt(CF__CTX(ctx), __VA_ARGS__)
CF__PRINTF(2, 3)
static inline char *cf__fmt(cf_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	s = cf__api->vfmt(ctx, fmt, ap);
	va_end(ap);
	return s;
}

/* cf_last_error(ctx): the message of the last failed call on this handle,
 * NULL when none (and for NULL). BORROWED until the next call on it. */
#define cf_last_error(ctx) cf__last_error(CF__CTX(ctx))
static inline const char *cf__last_error(cf_ctx *ctx)
{
	return cf__api->last_error(ctx);
}

/* ------------------------------------------------------------------ */
/* JSON helpers: enough to read inputs and build outputs without a JSON */
/* library in the app. One convention: (ctx, json, key, out). `json` is */
/* BORROWED; `key` NULL means the value itself, otherwise a dotted path */
/* of object members and array indexes ("a.b", "items.0"). Strings come */
/* back as SCRATCH (NULL when absent); other values through `out` with  */
/* CF_OK, CF_E_NOTFOUND (no such member) or CF_E_INVALID (`json` is not */
/* JSON, or the member has another type; cf_last_error says which).    */
/* ------------------------------------------------------------------ */

/* `s` as a JSON string literal with quotes and escapes ("Tokyo" ->
 * "\"Tokyo\""). SCRATCH. NULL gives "null". */
#define cf_json_quote(ctx, s) cf__json_quote(CF__CTX(ctx), (s))
static inline const char *cf__json_quote(cf_ctx *ctx, const char *s)
{
	return cf__api->json_quote(ctx, s);
}

/* The JSON text of `key` in `json` (compact), or NULL when `json` is not
 * valid or has no such member. SCRATCH. */
#define cf_json_get(ctx, json, key) cf__json_get(CF__CTX(ctx), (json), (key))
static inline const char *cf__json_get(cf_ctx *ctx, const char *json, const char *key)
{
	return cf__api->json_get(ctx, json, key);
}

/* The unescaped content of a JSON string (at `key`), or NULL when absent or
 * not a string. SCRATCH. */
#define cf_json_string(ctx, json, key) cf__json_string(CF__CTX(ctx), (json), (key))
static inline const char *cf__json_string(cf_ctx *ctx, const char *json, const char *key)
{
	return cf__api->json_string(ctx, json, key);
}

/* A number / a boolean (1 or 0) at `key` into *out. */
#define cf_json_number(ctx, json, key, out) cf__json_number(CF__CTX(ctx), (json), (key), (out))
static inline cf_rc cf__json_number(cf_ctx *ctx, const char *json, const char *key, double *out)
{
	return cf__api->json_number(ctx, json, key, out);
}
#define cf_json_bool(ctx, json, key, out) cf__json_bool(CF__CTX(ctx), (json), (key), (out))
static inline cf_rc cf__json_bool(cf_ctx *ctx, const char *json, const char *key, int *out)
{
	return cf__api->json_bool(ctx, json, key, out);
}

/* The number of items of the array (or members of the object) at `key`. */
#define cf_json_length(ctx, json, key, out) cf__json_length(CF__CTX(ctx), (json), (key), (out))
static inline cf_rc cf__json_length(cf_ctx *ctx, const char *json, const char *key, size_t *out)
{
	return cf__api->json_length(ctx, json, key, out);
}

/* CF_OK when `json` is exactly one valid JSON value (UTF-8, no trailing
 * text), else CF_E_INVALID with the parser's reason in cf_last_error(ctx). */
#define cf_json_check(ctx, json) cf__json_check(CF__CTX(ctx), (json))
static inline cf_rc cf__json_check(cf_ctx *ctx, const char *json)
{
	return cf__api->json_check(ctx, json);
}

/* ------------------------------------------------------------------ */
/* HTTP functions                                                       */
/* ------------------------------------------------------------------ */

/* Request method in upper case ("GET"). BORROWED. */
static inline const char *cf_http_method(cf_http *h) { return cf__api->http_method(h); }

/* Full URL as the client addressed it, "http://host:port/path?query". BORROWED. */
static inline const char *cf_http_url(cf_http *h) { return cf__api->http_url(h); }

/* Request path without the query, as sent (not decoded). BORROWED. */
static inline const char *cf_http_path(cf_http *h) { return cf__api->http_path(h); }

/*
 * A route parameter, percent-decoded; its default value when the template
 * gives one; NULL when the parameter is unknown or an optional one was not
 * matched. `name` BORROWED; the result BORROWED.
 */
static inline const char *cf_http_route_param(cf_http *h, const char *name)
{
	return cf__api->http_route_param(h, name);
}

/* First query value for `name` (case-insensitive), decoded, '+' = space;
 * "" for "?name", NULL when absent. BORROWED. */
static inline const char *cf_http_query(cf_http *h, const char *name)
{
	return cf__api->http_query(h, name);
}

/* First header value for `name` (case-insensitive), NULL when absent. BORROWED. */
static inline const char *cf_http_header(cf_http *h, const char *name)
{
	return cf__api->http_header(h, name);
}

/* Number of request headers, and the i-th as lower-case name + value (BORROWED).
 * cf_http_header_at returns CF_OK, or CF_E_INVALID when i is out of range. */
static inline size_t cf_http_header_count(cf_http *h) { return cf__api->http_header_count(h); }
static inline cf_rc cf_http_header_at(cf_http *h, size_t i, const char **name, const char **value)
{
	return cf__api->http_header_at(h, i, name, value);
}

/* Request body (may contain NULs; always followed by a NUL the length does not
 * count) and its length. BORROWED. Never NULL: an empty body is "". */
static inline const char *cf_http_body(cf_http *h, size_t *len)
{
	return cf__api->http_body(h, len);
}

/* Name of the function being invoked. BORROWED. */
static inline const char *cf_http_function_name(cf_http *h) { return cf__api->http_function_name(h); }

/* Response status; 200 when never set. Values outside 100-999 are ignored. */
static inline void cf_http_set_status(cf_http *h, int status) { cf__api->http_set_status(h, status); }

/* Adds a response header; name and value are COPIED. A second header of the
 * same name is dropped (as the real host does) and CF_E_EXISTS returned;
 * CF_E_INVALID for CR/LF in either. */
static inline cf_rc cf_http_add_header(cf_http *h, const char *name, const char *value)
{
	return cf__api->http_add_header(h, name, value);
}

/* Replaces the response body; COPIED. */
static inline void cf_http_set_body(cf_http *h, const void *data, size_t len)
{
	cf__api->http_set_body(h, data, len);
}

/* Convenience: status + Content-Type + NUL-terminated body in one call, all
 * COPIED. Returns CF_OK, so `return cf_http_respond(...)` ends a function. */
static inline cf_rc cf_http_respond(cf_http *h, int status, const char *content_type, const char *body)
{
	size_t n = 0;
	cf__api->http_set_status(h, status);
	if (content_type)
		cf__api->http_add_header(h, "Content-Type", content_type);
	if (body)
		while (body[n])
			n++;
	cf__api->http_set_body(h, body ? body : "", n);
	return CF_OK;
}

/* ------------------------------------------------------------------ */
/* Orchestrators                                                        */
/*                                                                      */
/* An orchestrator is re-run from the top in every episode. A task whose */
/* outcome is in the history completes at once; the first one that is  */
/* not ends the episode (return CF_PENDING, which CF_AWAIT does for you).*/
/* Never keep state in globals or read clocks, files or random numbers: */
/* use the cf_orch_* functions, which replay identically.               */
/* The task calls (cf_call_activity, cf_create_timer, cf_wait_for_event, */
/* cf_when_all ...) keep Durable Functions' names (CallActivityAsync,   */
/* CreateTimer, WaitForExternalEvent, Task.WhenAll) rather than the     */
/* cf_<noun>_<verb> pattern, so Durable users find them.                */
/* Every cf_task * returned is SCRATCH of the episode and never NULL;   */
/* invalid arguments make the task (and the orchestration) fail.        */
/* ------------------------------------------------------------------ */

/* The input as JSON text ("null" when none). BORROWED for the episode. */
static inline const char *cf_orch_input(cf_orch *o) { return cf__api->orch_input(o); }

/* Instance id and orchestrator name. BORROWED for the episode. */
static inline const char *cf_orch_instance_id(cf_orch *o) { return cf__api->orch_instance_id(o); }
static inline const char *cf_orch_name(cf_orch *o) { return cf__api->orch_name(o); }

/* Deterministic "now": milliseconds since the Unix epoch (UTC) of the
 * episode being replayed; identical on every replay. */
static inline int64_t cf_orch_now(cf_orch *o) { return cf__api->orch_now(o); }

/* 1 while the code re-runs events committed by earlier episodes, else 0. */
static inline int cf_orch_is_replaying(cf_orch *o) { return cf__api->orch_is_replaying(o); }

/* Deterministic UUID v5 ("xxxxxxxx-xxxx-5xxx-yxxx-xxxxxxxxxxxx"), the same on
 * every replay; see README for the exact algorithm. SCRATCH. */
static inline const char *cf_orch_new_uuid(cf_orch *o) { return cf__api->orch_new_uuid(o); }

/* Sets the custom status (JSON text, COPIED; NULL clears it). It becomes
 * visible when the episode commits. CF_E_INVALID for bad JSON or > 16 KiB. */
static inline cf_rc cf_orch_set_custom_status(cf_orch *o, const char *json)
{
	return cf__api->orch_set_custom_status(o, json);
}

/*
 * Schedules activity `name` (COPIED) with `input_json` (COPIED; NULL = null).
 * The returned task is SCRATCH for the episode; its result is the
 * activity's (BORROWED for the episode). Scheduling happens when the task is
 * created, in call order: keep the order deterministic.
 */
static inline cf_task *cf_call_activity(cf_orch *o, const char *name, const char *input_json)
{
	return cf__api->call_activity(o, name, input_json, NULL);
}

/* As cf_call_activity, retried with durable timers per `retry` (COPIED;
 * start it from CF_RETRY_INIT). */
static inline cf_task *cf_call_activity_with_retry(cf_orch *o, const char *name,
						   const struct cf_retry *retry, const char *input_json)
{
	return cf__api->call_activity(o, name, input_json, retry);
}

/* Starts orchestrator `name` as a child with `input_json`; instance_id NULL =
 * "<execution id>:<seq>". name, instance_id and input_json are COPIED; the
 * task is SCRATCH and its result (the child's output) BORROWED for the
 * episode. It fails with the child's failure reason. */
static inline cf_task *cf_call_sub_orchestrator(cf_orch *o, const char *name,
						const char *instance_id, const char *input_json)
{
	return cf__api->call_sub_orchestrator(o, name, instance_id, input_json, NULL);
}

/* As cf_call_sub_orchestrator, started again per `retry` (COPIED; start it
 * from CF_RETRY_INIT) when the child fails. */
static inline cf_task *cf_call_sub_orchestrator_with_retry(cf_orch *o, const char *name,
							   const struct cf_retry *retry,
							   const char *instance_id,
							   const char *input_json)
{
	return cf__api->call_sub_orchestrator(o, name, instance_id, input_json, retry);
}

/* A durable timer firing at `fire_at_ms` (Unix ms, UTC); never early. The
 * task is SCRATCH; its result is NULL. */
static inline cf_task *cf_create_timer(cf_orch *o, int64_t fire_at_ms)
{
	return cf__api->create_timer(o, fire_at_ms);
}

/* Waits for external event `name` (COPIED; case-insensitive). Events raised
 * before anyone waits are buffered, oldest first. The task is SCRATCH; its
 * result is the event's data (BORROWED for the episode). */
static inline cf_task *cf_wait_for_event(cf_orch *o, const char *name)
{
	return cf__api->wait_for_event(o, name);
}

/*
 * Raises event `name` with `data_json` (NULL = null) on instance
 * `instance_id`, as cf_durable_raise_event does from an HTTP function; all
 * three are COPIED. It is sent when the episode commits, once (not again on
 * replay); an unknown target instance drops it, as Durable does. Returns
 * CF_OK, or CF_ERROR and fails the orchestration for a NULL or empty id or
 * name, or data that is not JSON.
 */
static inline cf_rc cf_orch_send_event(cf_orch *o, const char *instance_id, const char *name,
				       const char *data_json)
{
	return cf__api->orch_send_event(o, instance_id, name, data_json);
}

/* Completes when every task has; fails as soon as one fails (with its error).
 * Result: a JSON array of the results in argument order (SCRATCH). `tasks`
 * (the array) is COPIED; the tasks stay the episode's. */
static inline cf_task *cf_when_all(cf_orch *o, cf_task *const *tasks, size_t n)
{
	return cf__api->when_all(o, tasks, n);
}

/* Completes when the first task completes, successfully or not; never fails.
 * Find the winner with cf_task_winner(). `tasks` is COPIED as for cf_when_all. */
static inline cf_task *cf_when_any(cf_orch *o, cf_task *const *tasks, size_t n)
{
	return cf__api->when_any(o, tasks, n);
}

/*
 * CF_OK: the task completed; *result_json (if not NULL) gets its result
 *        (BORROWED for the episode).
 * CF_PENDING: not yet; return CF_PENDING from the orchestrator.
 * CF_ERROR: the task failed; cf_task_error(task) has the message. Return
 *        CF_ERROR to fail the orchestration with it, or carry on.
 */
static inline cf_rc cf_await(cf_orch *o, cf_task *task, const char **result_json)
{
	return cf__api->await(o, task, result_json);
}

/* CF_AWAIT(o, task, &out) expands to
 *   do { cf_rc cf__r = cf_await(o, task, &out); if (cf__r != CF_OK) return cf__r; } while (0)
 * i.e. it returns from the orchestrator unless the task succeeded. */
#define CF_AWAIT(o, task, out)                                   \
	do {                                                     \
		cf_rc cf__r = cf_await((o), (task), (out));      \
		if (cf__r != CF_OK)                              \
			return cf__r;                            \
	} while (0)

/* Result (JSON) or error message of a completed task; NULL otherwise.
 * BORROWED for the episode. */
static inline const char *cf_task_result(cf_task *t) { return cf__api->task_result(t); }
static inline const char *cf_task_error(cf_task *t) { return cf__api->task_error(t); }

/* The task that completed a cf_when_any() task; NULL while it is pending.
 * SCRATCH of the episode, like every task. */
static inline cf_task *cf_task_winner(cf_task *any) { return cf__api->task_winner(any); }

/* Cancels a pending timer so it no longer keeps the orchestration open; it
 * then fails with "timer cancelled". No-op on other tasks. */
static inline void cf_task_cancel(cf_task *timer) { cf__api->task_cancel(timer); }

/* Ends the orchestration with `output_json` (COPIED; NULL = null). Return its
 * value from the orchestrator: `return cf_orch_finish(o, "\"done\"");` */
static inline cf_rc cf_orch_finish(cf_orch *o, const char *output_json)
{
	return cf__api->orch_finish(o, output_json);
}

/* Fails the orchestration with `message` (COPIED). Returns CF_ERROR. */
static inline cf_rc cf_orch_fail(cf_orch *o, const char *message)
{
	return cf__api->orch_fail(o, message);
}

/* Restarts the orchestration with a fresh history and `input_json` (COPIED).
 * flags: CF_CONTINUE_KEEP_EVENTS carries buffered, unprocessed external
 * events over; 0 drops them. CF_E_INVALID (and the orchestration fails) for
 * unknown flags. */
static inline cf_rc cf_orch_continue_as_new(cf_orch *o, const char *input_json, unsigned flags)
{
	return cf__api->orch_continue_as_new(o, input_json, flags);
}

/* ------------------------------------------------------------------ */
/* Activities (run at least once; use the idempotency key for effects) */
/* ------------------------------------------------------------------ */

/* Input (JSON text), activity name, calling instance. BORROWED. */
static inline const char *cf_act_input(cf_act *a) { return cf__api->act_input(a); }
static inline const char *cf_act_name(cf_act *a) { return cf__api->act_name(a); }
static inline const char *cf_act_instance_id(cf_act *a) { return cf__api->act_instance_id(a); }

/* "<instance>:<task sequence number>:<attempt>"; the same on a re-run of the
 * same attempt after a crash. BORROWED. */
static inline const char *cf_act_idempotency_key(cf_act *a) { return cf__api->act_idempotency_key(a); }

/* Sets the result (JSON text, COPIED; NULL = null). Returns CF_OK, or
 * CF_E_INVALID when result_json is not JSON (the activity then fails). */
static inline cf_rc cf_act_return(cf_act *a, const char *result_json)
{
	return cf__api->act_return(a, result_json);
}

/* Fails this attempt with `message` (COPIED). Returns CF_ERROR. */
static inline cf_rc cf_act_fail(cf_act *a, const char *message)
{
	return cf__api->act_fail(a, message);
}

/* ------------------------------------------------------------------ */
/* Durable client, from HTTP functions. Errors: cf_last_error(h).       */
/* Every string passed in is COPIED; output strings are SCRATCH of the  */
/* HTTP invocation.                                                     */
/* ------------------------------------------------------------------ */

/* Starts orchestrator `orch_name`; instance_id NULL = a new 32-hex id.
 * CF_E_NOTFOUND unknown orchestrator, CF_E_INVALID bad id or input,
 * CF_E_EXISTS id used by a non-terminal instance. Acknowledged = committed. */
static inline cf_rc cf_durable_start(cf_http *h, const char *orch_name, const char *instance_id,
				     const char *input_json, const char **out_id)
{
	return cf__api->durable_start(h, orch_name, instance_id, input_json, out_id);
}

/* The status object of the management API as JSON text; `flags` are
 * CF_STATUS_* bits (0 = input, no history). CF_E_NOTFOUND, CF_E_INVALID for
 * unknown flags. */
static inline cf_rc cf_durable_status(cf_http *h, const char *instance_id, unsigned flags,
				      const char **out_json)
{
	return cf__api->durable_status(h, instance_id, flags, out_json);
}

/* Queue an external event. CF_E_NOTFOUND, CF_E_GONE (terminal), CF_E_INVALID. */
static inline cf_rc cf_durable_raise_event(cf_http *h, const char *instance_id, const char *event,
					   const char *data_json)
{
	return cf__api->durable_raise_event(h, instance_id, event, data_json);
}

/* Lifecycle operations; `reason` may be NULL. CF_E_NOTFOUND, CF_E_GONE, CF_E_STATE. */
static inline cf_rc cf_durable_terminate(cf_http *h, const char *id, const char *reason)
{
	return cf__api->durable_terminate(h, id, reason);
}
static inline cf_rc cf_durable_suspend(cf_http *h, const char *id, const char *reason)
{
	return cf__api->durable_suspend(h, id, reason);
}
static inline cf_rc cf_durable_resume(cf_http *h, const char *id, const char *reason)
{
	return cf__api->durable_resume(h, id, reason);
}
static inline cf_rc cf_durable_rewind(cf_http *h, const char *id, const char *reason)
{
	return cf__api->durable_rewind(h, id, reason);
}

/* Starts the instance again with its original input; `flags` are
 * CF_RESTART_* bits (0 = the same id). *out_id gets the id it runs under. */
static inline cf_rc cf_durable_restart(cf_http *h, const char *id, unsigned flags,
				       const char **out_id)
{
	return cf__api->durable_restart(h, id, flags, out_id);
}
static inline cf_rc cf_durable_purge(cf_http *h, const char *id)
{
	return cf__api->durable_purge(h, id);
}

/* Makes the HTTP response the 202 check-status response (Location,
 * Retry-After: 10, the nine management URLs) for `instance_id`. */
static inline cf_rc cf_durable_check_status_response(cf_http *h, const char *instance_id)
{
	return cf__api->durable_check_status_response(h, instance_id);
}

/* Waits up to timeout_ms for the instance to finish: 200 with the output when
 * it completed, the status object when it failed or was terminated, the
 * check-status response otherwise. The wait ends as soon as the outcome is
 * committed (nothing polls), so retry_ms is only checked: CF_E_INVALID when
 * it is not positive or exceeds timeout_ms. In the host process the call
 * returns at once and the response is held after the function returns,
 * without a thread: return right after it. Headers added after the call
 * are kept; a status or body set after it replaces the answer and ends the
 * wait. In a worker process (--worker-processes) the calling thread sleeps
 * until the outcome or the timeout. */
static inline cf_rc cf_durable_wait_or_check_status_response(cf_http *h, const char *instance_id,
							     int64_t timeout_ms, int64_t retry_ms)
{
	return cf__api->durable_wait_or_check_status_response(h, instance_id, timeout_ms, retry_ms);
}

/* ------------------------------------------------------------------ */
/* Timer triggers (ABI 2.1)                                             */
/* ------------------------------------------------------------------ */

/*
 * Registers timer function `name` (COPIED) on `schedule` (COPIED): an
 * NCRONTAB expression "{second} {minute} {hour} {day} {month} {weekday}"
 * (five fields without seconds also work), a TimeSpan "hh:mm:ss" or
 * "d.hh:mm:ss", or "%Setting%" naming an app setting that holds one.
 * Occurrences are in the host's local zone (TZ, or WEBSITE_TIME_ZONE).
 * flags: CF_TIMER_* bits. An invalid schedule refuses the app with func's
 * message. One invocation at a time per timer.
 */
static inline cf_rc cf_register_timer(cf_app *app, const char *name, const char *schedule,
				      unsigned flags, cf_timer_fn fn)
{
	return cf__api->register_timer(app, name, schedule, flags, fn);
}

/* The TimerInfo func passes, as JSON text: {"Schedule":{"AdjustForDST":true},
 * "ScheduleStatus":{"Last":…,"Next":…,"LastUpdated":…} or null,
 * "IsPastDue":false}. BORROWED for the invocation. */
static inline const char *cf_timer_info(cf_timer *t) { return cf__api->timer_info(t); }

/* A durable client for this invocation: pass it to cf_durable_start() and
 * the other cf_durable_* calls (not to cf_http_*: it has no request). It is
 * SCRATCH of the invocation, never NULL; without a running engine its calls
 * fail with CF_ERROR. */
static inline cf_http *cf_timer_durable_client(cf_timer *t) { return cf__api->timer_durable_client(t); }

/* ------------------------------------------------------------------ */
/* Durable entities (ABI 2.2)                                           */
/*                                                                      */
/* An entity is a small piece of durable state with a name and a key   */
/* (a counter "counter"/"cats", an account "account"/"alice"), changed  */
/* only by operations. The host runs the operations of one entity one   */
/* at a time, in the order they arrived, several queued ones in one     */
/* batch; the state is committed with the batch. An operation that      */
/* fails (cf_entity_fail, or a negative return) has its state change,   */
/* signals and starts rolled back; the others of the batch stand.       */
/* Names are case-insensitive (lower-cased in every output), keys case- */
/* sensitive; the entity's instance id is "@<name>@<key>". An entity    */
/* exists while it has state: the first operation that sets state       */
/* creates it, cf_entity_delete_state deletes it.                       */
/* Keys: any UTF-8 text without '/', '\\', '#', '?' or control            */
/* characters, at most 200 bytes; "" is a key too.                      */
/* ------------------------------------------------------------------ */

/* Registers entity function `name` (COPIED; the function-name rules of
 * cf_register_http). It is called once per operation. CF_OK, CF_E_INVALID,
 * CF_E_EXISTS. */
static inline cf_rc cf_register_entity(cf_app *app, const char *name, cf_entity_fn fn)
{
	return cf__api->register_entity(app, name, fn);
}

/* The entity's name (lower case), key, the operation's name (as sent, "" for
 * none) and input (JSON text, NULL when the operation has none). BORROWED
 * for the operation. */
static inline const char *cf_entity_name(cf_entity *e) { return cf__api->entity_name(e); }
static inline const char *cf_entity_key(cf_entity *e) { return cf__api->entity_key(e); }
static inline const char *cf_entity_op(cf_entity *e) { return cf__api->entity_op(e); }
static inline const char *cf_entity_input(cf_entity *e) { return cf__api->entity_input(e); }

/* The current state as JSON text, NULL when the entity has none (absent,
 * which is not the JSON value null). BORROWED until the next set/delete. */
static inline const char *cf_entity_state(cf_entity *e) { return cf__api->entity_state(e); }

/* Replaces the state (JSON text, COPIED; NULL = the JSON value null).
 * CF_E_INVALID for text that is not JSON (the state is unchanged). */
static inline cf_rc cf_entity_set_state(cf_entity *e, const char *json)
{
	return cf__api->entity_set_state(e, json);
}

/* Removes the state: once the batch commits the entity no longer exists
 * (reads give "not found") unless a later operation sets state again. */
static inline void cf_entity_delete_state(cf_entity *e) { cf__api->entity_delete_state(e); }

/* The operation's result (JSON text, COPIED; NULL = null), which a caller
 * (cf_call_entity) gets. CF_E_INVALID for text that is not JSON. */
static inline cf_rc cf_entity_return(cf_entity *e, const char *json)
{
	return cf__api->entity_return(e, json);
}

/* Fails the operation with `message` (COPIED): its state change, signals
 * and starts are rolled back; a caller's task fails with the message.
 * Returns CF_ERROR, so `return cf_entity_fail(e, "...")` ends it. */
static inline cf_rc cf_entity_fail(cf_entity *e, const char *message)
{
	return cf__api->entity_fail(e, message);
}

/* Signals operation `op` (with input_json, NULL = none) on entity
 * (name, key), one-way, once this operation's batch commits; at_ms > 0
 * delivers it no earlier than that Unix time in ms. All strings COPIED.
 * CF_E_INVALID for a bad name, key or input. */
static inline cf_rc cf_entity_signal(cf_entity *e, const char *name, const char *key,
				     const char *op, const char *input_json, int64_t at_ms)
{
	return cf__api->entity_signal(e, name, key, op, input_json, at_ms);
}

/* Starts orchestrator `orch_name` (instance_id NULL = a new id) with
 * input_json once the batch commits. CF_E_NOTFOUND unknown orchestrator,
 * CF_E_INVALID bad id or input. An id in use by a running instance is
 * logged and skipped. */
static inline cf_rc cf_entity_start_orchestration(cf_entity *e, const char *orch_name,
						  const char *instance_id, const char *input_json)
{
	return cf__api->entity_start_orchestration(e, orch_name, instance_id, input_json);
}

/* From an orchestrator: calls operation `op` on entity (name, key) and
 * waits for its result (two-way). The request id is cf_orch_new_uuid's
 * next value, so replay is exact. The task's result is the operation's
 * result; it fails with the operation's failure message. Inside a
 * critical section only locked entities may be called. SCRATCH task. */
static inline cf_task *cf_call_entity(cf_orch *o, const char *name, const char *key,
				      const char *op, const char *input_json)
{
	return cf__api->call_entity(o, name, key, op, input_json);
}

/* From an orchestrator: one-way signal, sent when the episode commits
 * (once, not again on replay); at_ms > 0 schedules it. Returns CF_OK, or
 * CF_ERROR and fails the orchestration for bad arguments or a signal to
 * an entity this orchestration holds locked. */
static inline cf_rc cf_signal_entity(cf_orch *o, const char *name, const char *key,
				     const char *op, const char *input_json, int64_t at_ms)
{
	return cf__api->orch_signal_entity(o, name, key, op, input_json, at_ms);
}

/*
 * Critical section: locks the n entities (names[i], keys[i]), sorted by id
 * and de-duplicated, granted one after the other in that order so two
 * orchestrations never deadlock. The task completes once all are held;
 * other callers' operations on them wait until cf_unlock_entities(), or
 * until the orchestration ends (completes, fails or is terminated).
 * Rules (breaking one fails the orchestration with a message naming it):
 * no lock inside a critical section, only locked entities are called and
 * one call at a time per entity, no sub-orchestrations, no signals to
 * locked entities. The arrays are COPIED. SCRATCH task.
 */
static inline cf_task *cf_lock_entities(cf_orch *o, const char *const *names,
					const char *const *keys, size_t n)
{
	return cf__api->lock_entities(o, names, keys, n);
}

/* Ends the critical section: release messages go out when the episode
 * commits. CF_E_STATE when none is open. */
static inline cf_rc cf_unlock_entities(cf_orch *o) { return cf__api->unlock_entities(o); }

/* From an HTTP function (or a timer's client): signals `op` with input_json
 * (NULL = none) on entity (name, key); at_ms > 0 delivers it no earlier
 * than then. Returns after the signal is committed. CF_E_NOTFOUND unknown
 * entity function, CF_E_INVALID bad key or input. */
static inline cf_rc cf_durable_signal_entity(cf_http *h, const char *name, const char *key,
					     const char *op, const char *input_json, int64_t at_ms)
{
	return cf__api->durable_signal_entity(h, name, key, op, input_json, at_ms);
}

/* The last committed state of entity (name, key) into *out_state (SCRATCH
 * of the invocation). CF_E_NOTFOUND when it does not exist. */
static inline cf_rc cf_durable_read_entity(cf_http *h, const char *name, const char *key,
					   const char **out_state)
{
	return cf__api->durable_read_entity(h, name, key, out_state);
}

/* Clean entity storage: removes the records of entities left without state,
 * lock or queued operations, and releases the locks of orchestrations that
 * no longer run (their waiting operations then run). *removed and *released
 * (either may be NULL) get the counts. CF_OK or CF_ERROR. */
static inline cf_rc cf_durable_clean_entity_storage(cf_http *h, int64_t *removed,
						    int64_t *released)
{
	return cf__api->durable_clean_entity_storage(h, removed, released);
}

#ifdef __cplusplus
} /* extern "C" */

/* C++: the handle conversion behind cf_log & co. is an overload set, so a
 * non-handle argument has no match. nullptr means "no handle". */
static inline cf_ctx *cf__ctx(cf_app *p) { return cf_app_ctx(p); }
static inline cf_ctx *cf__ctx(cf_http *p) { return cf_http_ctx(p); }
static inline cf_ctx *cf__ctx(cf_orch *p) { return cf_orch_ctx(p); }
static inline cf_ctx *cf__ctx(cf_act *p) { return cf_act_ctx(p); }
static inline cf_ctx *cf__ctx(cf_timer *p) { return cf_timer_ctx(p); }
static inline cf_ctx *cf__ctx(cf_entity *p) { return cf_entity_ctx(p); }
static inline cf_ctx *cf__ctx(cf_ctx *p) { return p; }
static inline cf_ctx *cf__ctx(decltype(nullptr)) { return 0; }
#endif

#endif /* CFUNC_H */
