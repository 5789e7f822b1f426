/*
 * entities.c - the entity endpoints of the management API
 * (durable-http-api §5 and the research notes' additions):
 *   GET    entities/{name}/{key}        state: 200 JSON | 404 ("$" = empty key)
 *   POST   entities/{name}/{key}?op=    signal: 202 (missing key = "")
 *   DELETE entities/{name}/{key}        signal of operation "delete": 202
 *   GET    entities[/{name}]            listing: fetchState, lastOperationTimeFrom/To,
 *                                       top, x-ms-continuation-token
 * Signals are acknowledged after their commit.
 */
#include "management/entities.h"

#include "management/page.h"
#include "management/reply.h"

#include "common/clock.h"
#include "runtime/engine_entity.h"
#include "bindings/durable_client.h"
#include "bindings/http_trigger.h"
#include "bindings/json_util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void read_state(struct webhook_req *r, const char *name, const char *key)
{
	struct bind_http *h = r->h;
	struct rt_entity_row row;
	char *err = NULL;
	int rc;

	if (!r->served || rt_entity_id_problem(name, key)) {
		bind_webhooks_empty(h, 404);
		return;
	}
	rc = bind_client_entity_read(r->d, name, key, &row, h->ctx.arena, &err);
	if (rc == CF_OK)
		bind_http_set_json(h, 200, row.state);
	else if (rc == CF_E_NOTFOUND)
		bind_webhooks_empty(h, 404);
	else
		bind_webhooks_error(h, 500, WH_MSG_SERVER, err, WH_EX_GENERIC, "GetEntity");
	free(err);
}

/* The operation's input from the body (§5.2), or NULL for none; sets the
 * 400 and returns -1 when the body cannot be one. *input in h's arena. */
static int body_input(struct bind_http *h, const char **input)
{
	json_error_t jerr;
	json_t *v;
	*input = NULL;
	if (!h->body_len)
		return 0;
	if (bind_webhooks_content_json(h)) {
		v = json_loadb(h->body, h->body_len, JSON_DECODE_ANY, &jerr);
		if (!v || !bind_json_valid_n(h->body, h->body_len)) {
			char *msg = rt_arena_fmt(h->ctx.arena, "Could not parse JSON content: %s",
						 v ? "the value is nested too deeply" : jerr.text);
			json_decref(v);
			bind_webhooks_error(h, 400, msg, NULL, NULL, "SignalEntity");
			return -1;
		}
		json_decref(v);
		*input = rt_arena_strndup(h->ctx.arena, h->body, h->body_len);
		return 0;
	}
	/* Any other media type: the text itself, as a JSON string. */
	if (memchr(h->body, '\0', h->body_len) || !(v = json_stringn(h->body, h->body_len))) {
		bind_webhooks_error(h, 400, "Could not read the request body: it is not UTF-8 text",
				    NULL, NULL, "SignalEntity");
		return -1;
	}
	char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	*input = rt_arena_strdup(h->ctx.arena, text);
	free(text);
	json_decref(v);
	return 0;
}

static void signal(struct webhook_req *r, const char *name, const char *key, const char *op)
{
	struct bind_http *h = r->h;
	const char *problem, *input;
	char *err = NULL;

	if (!name || !*name) {
		bind_webhooks_error(h, 400,
				    "Invalid entity id: entity name must not be a null or empty string. "
				    "(Parameter 'entityName')",
				    NULL, NULL, "SignalEntity");
		return;
	}
	if ((problem = rt_entity_id_problem(name, key))) {
		bind_webhooks_error(h, 400, rt_arena_fmt(h->ctx.arena, "Invalid entity id: %s.", problem),
				    NULL, NULL, "SignalEntity");
		return;
	}
	if (!r->served) {
		bind_webhooks_empty(h, 404);
		return;
	}
	const struct bind_function *fn =
		r->d->reg ? bind_registry_find_kind(r->d->reg, name, BIND_FN_ENTITY) : NULL;
	if (!fn || fn->disabled) {
		bind_webhooks_error(h, 400,
				    rt_arena_fmt(h->ctx.arena,
						 "The function '%s' doesn't exist, is disabled, or is not an "
						 "entity function. Additional info: No entity function "
						 "named '%s' was found.",
						 name, name),
				    NULL, NULL, "SignalEntity");
		return;
	}
	json_t *op_ok = json_string(op);
	json_decref(op_ok);
	if (!op_ok) {
		bind_webhooks_error(h, 400, "Invalid operation name: it is not valid UTF-8", NULL,
				    NULL, "SignalEntity");
		return;
	}
	if (body_input(h, &input) != 0)
		return;
	/* Everything the engine could refuse is checked: queue it and let the
	 * host send the 202 after the commit, without holding this thread. */
	if (h->resume && bind_client_signal_entity_held(r->d, h, name, key, op, input, 0) == RT_OK) {
		bind_webhooks_empty(h, 202);
		return;
	}
	int rc = bind_client_signal_entity(r->d, name, key, op, input, 0, &err);
	if (rc == RT_OK)
		bind_webhooks_empty(h, 202);
	else if (rc == RT_E_INVALID || rc == RT_E_NOTFOUND)
		bind_webhooks_error(h, 400, err ? err : "invalid signal", NULL, NULL, "SignalEntity");
	else
		bind_webhooks_error(h, 500, WH_MSG_SERVER, err, WH_EX_GENERIC, "SignalEntity");
	free(err);
}

static void list(struct webhook_req *r, const char *name)
{
	struct bind_http *h = r->h;
	struct rt_arena *a = h->ctx.arena;
	const char *after, *next = NULL;
	int fetch = bind_webhooks_bool(&r->q, "fetchState", 0);
	long top;
	int64_t from = INT64_MIN, to = rt_now_us(), t;
	json_t *arr;

	/* Unparseable dates leave the bound at its default (no 400, §1.2). */
	if (bind_webhooks_time(&r->q, "lastOperationTimeFrom", &t) == 0)
		from = t;
	if (bind_webhooks_time(&r->q, "lastOperationTimeTo", &t) == 0)
		to = t;
	if (!bind_webhooks_page_args(r, "ListEntities", &top, &after))
		return;
	arr = json_array();
	/* A name that cannot be an entity's lists nothing. */
	if (r->served && (!name || !rt_entity_id_problem(name, ""))) {
		struct rt_entity_row *rows;
		char *err = NULL;
		size_t n;
		if (bind_client_entity_list(r->d, name, from, to, fetch, after, (size_t)top,
					    BIND_WEBHOOKS_LIST_CALLS_MAX, &rows, &n, &next, a,
					    &err) != CF_OK) {
			json_decref(arr);
			bind_webhooks_error(h, 500, WH_MSG_SERVER, err, WH_EX_GENERIC, "ListEntities");
			free(err);
			return;
		}
		for (size_t i = 0; i < n; i++) {
			char when[40];
			json_t *state =
				rows[i].state ? json_loads(rows[i].state, JSON_DECODE_ANY, NULL) : NULL;
			rt_format_time_o(rows[i].last_op_us, when);
			json_array_append_new(arr, json_pack("{s:{s:s,s:s},s:s,s:o}", "entityId", "name",
							     rows[i].name, "key", rows[i].key,
							     "lastOperationTime", when, "state",
							     state ? state : json_null()));
		}
	}
	bind_webhooks_page_reply(h, arr, next);
}

void bind_webhooks_entities(struct webhook_req *r, const char *method, const char *name,
			    const char *key)
{
	if (strcmp(method, "GET") == 0) {
		if (key)
			read_state(r, name, strcmp(key, "$") == 0 ? "" : key);
		else
			list(r, name);
	} else if (strcmp(method, "POST") == 0) {
		const char *op = bind_urlcodec_query_get(&r->q, "op");
		signal(r, name, key ? key : "", op ? op : "");
	} else if (strcmp(method, "DELETE") == 0) {
		signal(r, name, key ? key : "", "delete");
	}
}
