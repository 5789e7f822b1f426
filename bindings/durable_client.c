/*
 * durable_client.c - the durable client (durable_client.h): the engine's
 * commands (writes, acknowledged after commit) and read-only handles
 * (status, listings) for apps, the management API and the admin invoke,
 * and the check-status payload they share. Parks are in durable_park.c,
 * waits in durable_wait.c (over this file), cf_durable_* in durable_api.c
 * (over both).
 */
#include "bindings/durable_client.h"
#include "bindings/http_trigger.h"
#include "bindings/json_util.h"
#include "bindings/rc.h"
#include "bindings/status_json.h"
#include "common/urlcodec.h"
#include "common/utf8.h"
#include "common/xalloc.h"
#include "common/clock.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

json_t *bind_durable_payload(const struct bind_durable *d, const char *base_url, const char *id,
			     int with_rewind)
{
	struct rt_arena a;
	json_t *o = json_object();
	char *q, *p, *s;
	const char *enc;

	rt_arena_init(&a);
	enc = bind_urlcodec_encode(id, strlen(id), &a);
	/* "." and ".." are unreserved, but clients resolve them as dot-segments
	 * and would request another path: encode those ids completely. */
	if (strspn(id, ".") == strlen(id)) {
		char *dots = rt_arena_alloc(&a, 3 * strlen(id) + 1);
		for (size_t i = 0; id[i]; i++)
			memcpy(dots + 3 * i, "%2E", 4);
		enc = dots;
	}
	q = d->system_key ? xasprintf("taskHub=%s&connection=%s&code=%s", d->hub, d->connection,
				      d->system_key)
			  : xasprintf("taskHub=%s&connection=%s", d->hub, d->connection);
	p = xasprintf("%s/runtime/webhooks/durabletask/instances/%s", base_url, enc);

	json_object_set_new(o, "id", json_string(id));
#define URL(key, fmt, ...)                                  \
	s = xasprintf(fmt, __VA_ARGS__);                     \
	json_object_set_new(o, key, json_string(s));        \
	free(s)
	URL("statusQueryGetUri", "%s?%s", p, q);
	URL("sendEventPostUri", "%s/raiseEvent/{eventName}?%s", p, q);
	URL("terminatePostUri", "%s/terminate?reason={text}&%s", p, q);
	if (with_rewind) {
		URL("rewindPostUri", "%s/rewind?reason={text}&%s", p, q);
	}
	URL("purgeHistoryDeleteUri", "%s?%s", p, q);
	URL("restartPostUri", "%s/restart?%s", p, q);
	URL("suspendPostUri", "%s/suspend?reason={text}&%s", p, q);
	URL("resumePostUri", "%s/resume?reason={text}&%s", p, q);
#undef URL
	free(p);
	free(q);
	rt_arena_cleanup(&a);
	return o;
}

void bind_durable_set_check_status(struct bind_http *h, const struct bind_durable *d,
				   const char *id, int with_rewind)
{
	json_t *o = bind_durable_payload(d, h->base_url, id, with_rewind);
	char *text = bind_json_dump(o);
	/* Location = statusQueryGetUri; Retry-After 10 (durable-http-api §3.3). */
	h->nresp = 0;
	bind_http_add_header((cf_http *)h, "Location",
			     json_string_value(json_object_get(o, "statusQueryGetUri")));
	bind_http_add_header((cf_http *)h, "Retry-After", "10");
	bind_http_set_json(h, 202, text);
	free(text);
	json_decref(o);
}

/* ---- commands ------------------------------------------------------------ */

int bind_client_start(struct bind_durable *d, const char *name, const char *id, const char *input,
		      char **out_id, char **err)
{
	return rt_engine_start_instance(d->engine, name, id, input, out_id, err);
}

/* The engine committed (or failed) a command queued by bind_client_*_held. */
static void held_committed(void *user, int rc, const char *err)
{
	struct bind_http *h = user;
	(void)err;
	if (rc != RT_OK)
		__atomic_store_n(&h->commit_failed, 1, __ATOMIC_RELEASE);
	bind_http_release(h);
}

int bind_client_start_held(struct bind_durable *d, struct bind_http *h, const char *name,
			   const char *input, char id_out[33], int64_t wait_timeout_ms)
{
	struct bind_park *park = NULL;
	char *id = id_out;
	if (wait_timeout_ms >= 0 && h->park_ok) {
		/* The id the wait points at must outlive this call: h's arena. */
		park = bind_park_new(h, d, NULL, wait_timeout_ms);
		id = (char *)park->id;
	}
	__atomic_add_fetch(&h->pending, 1, __ATOMIC_ACQ_REL);
	if (rt_engine_start_async(d->engine, name, input, id, held_committed, h,
				  park ? &park->w : NULL) != RT_OK) {
		__atomic_sub_fetch(&h->pending, 1, __ATOMIC_ACQ_REL);
		return RT_ERROR;
	}
	if (park) {
		memcpy(id_out, id, 33);
		/* Read by the host once the start committed and this worker let go. */
		h->park = park;
	}
	return RT_OK;
}

int bind_client_restart(struct bind_durable *d, const char *id, int new_instance_id,
			char **out_id, char **err, int *unknown_id)
{
	struct rt_arena a;
	struct rt_instance inst;
	int rc;
	if (unknown_id)
		*unknown_id = 0;
	rt_arena_init(&a);
	rc = bind_client_read(d, id, BIND_STATUS_INPUT, &inst, NULL, NULL, &a, err);
	if (rc == CF_E_NOTFOUND) {
		*err = xstrdup("InstanceId does not match a valid orchestration instance.");
		if (unknown_id)
			*unknown_id = 1;
		rt_arena_cleanup(&a);
		return RT_E_NOTFOUND;
	}
	if (rc != CF_OK) {
		rt_arena_cleanup(&a);
		return RT_ERROR;
	}
	rc = rt_engine_start_instance(d->engine, inst.name, new_instance_id ? NULL : id, inst.input,
				      out_id, err);
	rt_arena_cleanup(&a);
	return rc;
}

int bind_client_raise(struct bind_durable *d, const char *id, const char *event,
		      const char *data, char **err)
{
	return rt_engine_raise_event(d->engine, id, event, data, err);
}

int bind_client_lifecycle(struct bind_durable *d, enum bind_client_op op, const char *id,
			  const char *reason, char **err)
{
	switch (op) {
	case BIND_CLIENT_TERMINATE:
		return rt_engine_terminate(d->engine, id, reason, err);
	case BIND_CLIENT_SUSPEND:
		return rt_engine_suspend(d->engine, id, reason, err);
	case BIND_CLIENT_RESUME:
		return rt_engine_resume(d->engine, id, reason, err);
	case BIND_CLIENT_REWIND:
		return rt_engine_rewind(d->engine, id, reason, err);
	}
	if (err)
		*err = xstrdup("unknown operation");
	return RT_ERROR;
}

int bind_client_purge(struct bind_durable *d, const char *id, char **err)
{
	return rt_engine_purge(d->engine, id, err);
}

int bind_client_purge_many(struct bind_durable *d, const struct rt_store_filter *f,
			   int64_t *deleted, char **err)
{
	return rt_engine_purge_many(d->engine, f, deleted, err);
}

/* ---- reads ------------------------------------------------------------------ */

int bind_client_read(struct bind_durable *d, const char *id, int flags, struct rt_instance *inst,
		     struct rt_event **hist, size_t *n, struct rt_arena *a, char **err)
{
	struct rt_store *s = rt_engine_reader_get(d->engine, err);
	int rc;
	if (hist) {
		*hist = NULL;
		*n = 0;
	}
	if (!s)
		return CF_ERROR;
	rc = rt_store_instance_get(s, id, inst, a);
	if (rc == 0 && hist && (flags & BIND_STATUS_HISTORY) && inst->execution_id)
		rc = rt_engine_history(s, id, inst->execution_id, hist, n, a);
	if (rc != 0 && rc != RT_E_NOTFOUND && err)
		*err = xstrdup(rt_store_errmsg(s));
	rt_engine_reader_put(d->engine, s);
	if (rc == RT_E_NOTFOUND)
		return CF_E_NOTFOUND;
	return rc == 0 ? CF_OK : CF_ERROR;
}

int bind_durable_read(struct bind_durable *d, const char *id, int flags, struct rt_instance *inst,
		      json_t **status, struct rt_arena *a, char **err)
{
	struct rt_event *hist = NULL;
	size_t n = 0;
	int rc = bind_client_read(d, id, flags, inst, &hist, &n, a, err);
	if (rc == CF_OK && status)
		*status = bind_status_object(inst, hist, n, flags);
	return rc;
}

int bind_client_list(struct bind_durable *d, const struct rt_store_filter *f, const char *after,
		     size_t top, struct rt_instance **rows, size_t *n, const char **next,
		     struct rt_arena *a, char **err)
{
	struct rt_store *s = rt_engine_reader_get(d->engine, err);
	int rc;
	if (!s)
		return CF_ERROR;
	rc = rt_store_instance_list(s, f, after, top, rows, n, next, a);
	if (rc != 0 && err)
		*err = xstrdup(rt_store_errmsg(s));
	rt_engine_reader_put(d->engine, s);
	return rc == 0 ? CF_OK : CF_ERROR;
}

int bind_client_list_sorted(struct bind_durable *d, const struct rt_store_filter *f,
			    enum rt_store_sort sort, int desc, const struct rt_store_keyset *after,
			    size_t top, struct rt_instance **rows, size_t *n,
			    struct rt_store_keyset *next, int *more, struct rt_arena *a, char **err)
{
	struct rt_store *s = rt_engine_reader_get(d->engine, err);
	int rc;
	if (!s)
		return CF_ERROR;
	rc = rt_store_instance_list_sorted(s, f, sort, desc, after, top, rows, n, next, more, a);
	if (rc != 0 && err)
		*err = xstrdup(rt_store_errmsg(s));
	rt_engine_reader_put(d->engine, s);
	return rc == 0 ? CF_OK : CF_ERROR;
}

int bind_client_count_by_status(struct bind_durable *d, int64_t counts[RT_STORE_STATUS_SLOTS],
				int64_t *other, char **err)
{
	struct rt_store *s = rt_engine_reader_get(d->engine, err);
	int rc;
	if (!s)
		return CF_ERROR;
	rc = rt_store_count_by_status(s, counts, other);
	if (rc != 0 && err)
		*err = xstrdup(rt_store_errmsg(s));
	rt_engine_reader_put(d->engine, s);
	return rc == 0 ? CF_OK : CF_ERROR;
}

/* ---- entities ---------------------------------------------------------------- */

int bind_client_signal_entity(struct bind_durable *d, const char *name, const char *key,
			      const char *op, const char *input, int64_t at_us, char **err)
{
	return rt_engine_signal_entity(d->engine, name, key, op, input, at_us, err);
}

int bind_client_signal_entity_held(struct bind_durable *d, struct bind_http *h, const char *name,
				   const char *key, const char *op, const char *input,
				   int64_t at_us)
{
	__atomic_add_fetch(&h->pending, 1, __ATOMIC_ACQ_REL);
	if (rt_engine_signal_entity_async(d->engine, name, key, op, input, at_us, held_committed,
					  h) != RT_OK) {
		__atomic_sub_fetch(&h->pending, 1, __ATOMIC_ACQ_REL);
		return RT_ERROR;
	}
	return RT_OK;
}

int bind_client_entity_clean(struct bind_durable *d, int64_t *removed, int64_t *released,
			     char **err)
{
	return rt_engine_entity_clean(d->engine, removed, released, err);
}

int bind_client_entity_read(struct bind_durable *d, const char *name, const char *key,
			    struct rt_entity_row *row, struct rt_arena *a, char **err)
{
	struct rt_store *s = rt_engine_reader_get(d->engine, err);
	int rc;
	if (!s)
		return CF_ERROR;
	rc = rt_engine_entity_get(s, name, key, row, a);
	if (rc != 0 && rc != RT_E_NOTFOUND && err)
		*err = xstrdup(rt_store_errmsg(s));
	rt_engine_reader_put(d->engine, s);
	if (rc == RT_E_NOTFOUND)
		return CF_E_NOTFOUND;
	return rc == 0 ? CF_OK : CF_ERROR;
}

int bind_client_entity_list(struct bind_durable *d, const char *name, int64_t from_us,
			    int64_t to_us, int with_state, const char *after, size_t top,
			    int pages, struct rt_entity_row **rows, size_t *n, const char **next,
			    struct rt_arena *a, char **err)
{
	struct rt_store *s = rt_engine_reader_get(d->engine, err);
	struct rt_entity_row *all = NULL;
	size_t count = 0;
	*rows = NULL;
	*n = 0;
	*next = NULL;
	if (!s)
		return CF_ERROR;
	for (int p = 0; p < pages && count < top; p++) {
		struct rt_entity_row *page;
		size_t got;
		if (rt_engine_entity_list(s, name, from_us, to_us, with_state, after, top - count,
					  &page, &got, next, a) != 0) {
			if (err)
				*err = xstrdup(rt_store_errmsg(s));
			rt_engine_reader_put(d->engine, s);
			return CF_ERROR;
		}
		if (got) {
			struct rt_entity_row *grown = rt_arena_alloc(a, (count + got) * sizeof(*grown));
			if (count)
				memcpy(grown, all, count * sizeof(*grown));
			memcpy(grown + count, page, got * sizeof(*grown));
			all = grown;
			count += got;
		}
		if (!*next)
			break;
		after = *next;
	}
	rt_engine_reader_put(d->engine, s);
	*rows = all;
	*n = count;
	return CF_OK;
}

/* ---- checks ----------------------------------------------------------------- */

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
#define NAME_MAX_TEXT STRINGIFY(BIND_EVENT_NAME_MAX)

const char *bind_event_name_problem(const char *name)
{
	size_t units = 0, n;
	if (!name || !*name)
		return "event name is empty";
	for (const unsigned char *p = (const unsigned char *)name; *p; p += n) {
		if ((n = rt_utf8_seq(p, SIZE_MAX)) == 0)
			return "event name is not valid UTF-8";
		/* Stop counting early: a hostile name may be megabytes long. */
		if ((units += n == 4 ? 2 : 1) > BIND_EVENT_NAME_MAX)
			return "event name is longer than " NAME_MAX_TEXT " characters";
	}
	return NULL;
}
