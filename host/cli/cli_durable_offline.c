/*
 * cli_durable_offline.c - `cfunc durable` on the task-hub file when no host
 * runs on it. Reads build the management API's JSON with the same code the
 * API uses (bind_status_object); writes go through store_offline.h, so the
 * host applies them as its own commands when it next starts.
 */
#include "host/cli/cli_durable.h"
#include "runtime/engine.h"
#include "bindings/history_json.h"
#include "bindings/status_json.h"
#include "runtime/store_offline.h"
#include "common/xalloc.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Opens the hub file on first use. Reads need no write access and a
 * missing file reads as an empty hub (h->store stays NULL); writes create
 * it, as the host would. */
static int open_store(struct dcli_hub *h, int write, struct dcli_result *r)
{
	char *msg = NULL;
	if (h->store && (h->store_writable || !write))
		return 0;
	doffline_close(h);
	if (!write && access(h->path, F_OK) != 0)
		return 0;
	/* Reads take the hub's lock shared, writes exclusive (rt_store_open):
	 * either is refused while a host holds the hub. */
	if ((write ? rt_store_open(&h->store, h->path, NULL, &msg)
		   : rt_store_open_readonly(&h->store, h->path, &msg)) != 0) {
		r->rc = RT_ERROR;
		r->err = xasprintf("cannot open the task hub %s: %s", h->path, msg ? msg : "error");
		free(msg);
		h->store = NULL;
		return -1;
	}
	h->store_writable = write;
	return 0;
}

void doffline_close(struct dcli_hub *h)
{
	rt_store_close(h->store);
	h->store = NULL;
	h->store_writable = 0;
}

int doffline_start(struct dcli_hub *h, const struct dcli_args *a, struct dcli_result *r)
{
	int64_t created;
	if (open_store(h, 1, r) != 0)
		return r->rc;
	r->rc = rt_offline_start(h->store, a->function_name, a->id, a->input_json,
				 h->cfg.durable.overridable_existing_instance_states ==
					 HOST_CONFIG_ANY_STATE,
				 &r->id, &created, &r->err);
	if (r->rc == RT_OK)
		r->json = json_pack("{s:s}", "id", r->id);
	return r->rc;
}

/*
 * Reads instance `id` and, with `history`, the events of its current
 * execution, into `arena`. 0; or -1 with r->rc set: RT_E_NOTFOUND for no
 * such instance (or no hub file), else RT_ERROR with the store's message.
 */
static int read_instance(struct dcli_hub *h, const char *id, int history, struct rt_instance *inst,
			 struct rt_event **ev, size_t *n, struct rt_arena *arena,
			 struct dcli_result *r)
{
	int rc;
	if (open_store(h, 0, r) != 0)
		return -1;
	if (!h->store) {
		r->rc = RT_E_NOTFOUND;
		return -1;
	}
	rc = rt_store_instance_get(h->store, id, inst, arena);
	if (rc == 0 && history)
		rc = rt_engine_history(h->store, id, inst->execution_id, ev, n, arena);
	if (rc == 0)
		return 0;
	if (rc == RT_E_NOTFOUND) {
		r->rc = RT_E_NOTFOUND;
	} else {
		r->rc = RT_ERROR;
		r->err = xstrdup(rt_store_errmsg(h->store));
	}
	return -1;
}

int doffline_status(struct dcli_hub *h, const char *id, int input, int history,
		    struct dcli_result *r)
{
	struct rt_arena arena;
	struct rt_instance inst;
	struct rt_event *ev = NULL;
	size_t n = 0;

	rt_arena_init(&arena);
	if (read_instance(h, id, history, &inst, &ev, &n, &arena, r) == 0) {
		r->json = bind_status_object(&inst, ev, n,
					     (input ? BIND_STATUS_INPUT : 0) |
						     (history ? BIND_STATUS_HISTORY |
								BIND_STATUS_HISTORY_OUTPUT
							      : 0));
		r->rc = RT_OK;
	}
	rt_arena_cleanup(&arena);
	return r->rc;
}

int doffline_history(struct dcli_hub *h, const char *id, struct dcli_result *r)
{
	struct rt_arena arena;
	struct rt_instance inst;
	struct rt_event *ev = NULL;
	size_t n = 0;

	rt_arena_init(&arena);
	if (read_instance(h, id, 1, &inst, &ev, &n, &arena, r) == 0) {
		r->json = bind_history_json(ev, n);
		r->rc = RT_OK;
	}
	rt_arena_cleanup(&arena);
	return r->rc;
}

/* Offline continuation tokens: "o." and the hex of the next instance id. */
static char *token_of(const char *next)
{
	size_t n = strlen(next);
	char *t = xmalloc(2 * n + 3);
	memcpy(t, "o.", 2);
	sodium_bin2hex(t + 2, 2 * n + 1, (const unsigned char *)next, n);
	return t;
}

static char *token_id(const char *t)
{
	size_t n = strlen(t), len;
	char *id;
	if (n < 2 || strncmp(t, "o.", 2) != 0 || (n - 2) % 2)
		return NULL;
	id = xmalloc((n - 2) / 2 + 1);
	if (sodium_hex2bin((unsigned char *)id, (n - 2) / 2, t + 2, n - 2, NULL, &len, NULL) != 0 ||
	    len != (n - 2) / 2 || memchr(id, 0, len)) {
		free(id);
		return NULL;
	}
	id[len] = '\0';
	return id;
}

int doffline_list(struct dcli_hub *h, const struct dcli_args *a, struct dcli_result *r)
{
	struct rt_store_filter f;
	struct rt_arena arena;
	struct rt_instance *rows;
	size_t n;
	const char *next = NULL;
	char *after = NULL;

	if (a->continuation_token && !(after = token_id(a->continuation_token))) {
		r->err = xasprintf("the continuation token '%s' was not issued for this task hub "
				   "without a host (tokens work with the host, or without it, "
				   "whichever gave them)",
				   a->continuation_token);
		return r->rc = RT_E_INVALID;
	}
	if (open_store(h, 0, r) != 0) {
		free(after);
		return r->rc;
	}
	r->json = json_array();
	r->rc = RT_OK;
	if (!h->store) {
		free(after);
		return r->rc;
	}
	rt_store_filter_init(&f);
	f.created_from = a->from_us;
	f.created_to = a->to_us;
	f.statuses = a->statuses;
	f.skip_input = 1;
	rt_arena_init(&arena);
	if (rt_store_instance_list(h->store, &f, after, (size_t)a->top, &rows, &n, &next, &arena) != 0) {
		r->rc = RT_ERROR;
		r->err = xstrdup(rt_store_errmsg(h->store));
	} else {
		for (size_t i = 0; i < n; i++)
			json_array_append_new(r->json, bind_status_object(&rows[i], NULL, 0, 0));
		if (next)
			r->token = token_of(next);
	}
	rt_arena_cleanup(&arena);
	free(after);
	return r->rc;
}

int doffline_lifecycle(struct dcli_hub *h, enum dcli_lifecycle op, const char *id,
		       const char *name, const char *data, struct dcli_result *r)
{
	static const enum rt_offline_op ops[] = {
		[DCLI_RAISE] = RT_OFFLINE_RAISE,
		[DCLI_TERMINATE] = RT_OFFLINE_TERMINATE,
		[DCLI_SUSPEND] = RT_OFFLINE_SUSPEND,
		[DCLI_RESUME] = RT_OFFLINE_RESUME,
		[DCLI_REWIND] = RT_OFFLINE_REWIND,
	};
	if (access(h->path, F_OK) != 0) {
		r->err = xasprintf("No instance with ID '%s' found.", id);
		return r->rc = RT_E_NOTFOUND;
	}
	if (open_store(h, 1, r) != 0)
		return r->rc;
	/* The reason goes in as the webhook passes it: raw text. */
	r->rc = rt_offline_command(h->store, ops[op], id, name, data, &r->err);
	return r->rc;
}

int doffline_purge(struct dcli_hub *h, const struct dcli_args *a, struct dcli_result *r)
{
	struct rt_store_filter f;
	int rc;
	r->count = 0;
	if (access(h->path, F_OK) != 0)
		return r->rc = a->id ? RT_E_NOTFOUND : RT_OK;
	if (open_store(h, 1, r) != 0)
		return r->rc;
	if (rt_store_begin(h->store) != 0) {
		r->err = xstrdup(rt_store_errmsg(h->store));
		return r->rc = RT_ERROR;
	}
	if (a->id) {
		rc = rt_store_instance_delete(h->store, a->id);
		r->count = rc == 0;
	} else {
		/* As the API's purge many: finished instances only. */
		unsigned terminal = RT_STORE_STATUS_BIT(RT_ST_COMPLETED) |
				    RT_STORE_STATUS_BIT(RT_ST_FAILED) |
				    RT_STORE_STATUS_BIT(RT_ST_TERMINATED) |
				    RT_STORE_STATUS_BIT(RT_ST_CANCELED);
		rt_store_filter_init(&f);
		f.created_from = a->from_us;
		f.created_to = a->to_us;
		f.statuses = a->statuses ? a->statuses & terminal : terminal;
		rc = rt_store_purge(h->store, &f, 0, &r->count);
	}
	if (rc == RT_E_NOTFOUND) {
		rt_store_rollback(h->store);
		return r->rc = RT_E_NOTFOUND;
	}
	if (rc != 0 || rt_store_commit(h->store) != 0) {
		r->err = xstrdup(rt_store_errmsg(h->store));
		rt_store_rollback(h->store);
		return r->rc = RT_ERROR;
	}
	return r->rc = RT_OK;
}

int doffline_delete_hub(struct dcli_hub *h, char **err)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	doffline_close(h);
	if (access(h->path, F_OK) != 0) {
		*err = xasprintf("Task hub '%s' does not exist (%s).", h->name, h->path);
		return -1;
	}
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		char *p = xasprintf("%s%s", h->path, suffixes[i]);
		if (unlink(p) != 0 && errno != ENOENT) {
			*err = xasprintf("cannot delete %s: %s", p, strerror(errno));
			free(p);
			return -1;
		}
		free(p);
	}
	return 0;
}
