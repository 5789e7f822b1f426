/*
 * engine_entity.c - entities inside the engine's batches: deliver messages
 * to them, run one entity batch (entity_batch.c) for every entity with
 * visible messages, write its state, scheduler record and outbound
 * messages in the group-commit transaction (a failure fails the whole
 * batch); plus the client side (signal, read, list).
 *
 * Owns nothing across batches: everything lives in the batch arena and the
 * store. Storage layout: entity.h.
 */
#include "runtime/engine_int.h"
#include "runtime/engine_cmd_queue.h"
#include "runtime/engine_core.h"
#include "runtime/engine_instance.h"
#include "runtime/engine_entity.h"
#include "runtime/entity.h"
#include "runtime/json_text.h"
#include "runtime/uuid.h"
#include "common/xalloc.h"
#include "common/clock.h"
#include "common/utf8.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Operations one batch of one entity takes at most by default (Durable Functions'
 * maxEntityOperationBatchSize default), so a backlog neither holds the
 * engine thread for long nor loads all of itself into memory. */
#define ENTITY_BATCH_MAX 5000

/* engine_entity_deliver with the message's decoded form (NULL: none). */
static int deliver(struct engine_batch *b, const char *target, const char *event,
		   const char *data, int64_t visible_us, const struct rt_entity_msg *decoded)
{
	struct rt_event ev;
	rt_event_init(&ev, RT_EV_EVENT_RAISED);
	ev.timestamp_us = b->now_us;
	ev.name = event;
	ev.input = data;
	return engine_inbox_add_decoded(b, target, NULL, visible_us > b->now_us ? visible_us : 0,
					&ev, decoded);
}

int engine_entity_deliver(struct engine_batch *b, const char *target, const char *event,
			  const char *data, int64_t visible_us)
{
	return deliver(b, target, event, data, visible_us, NULL);
}

/* A message for an orchestration: an EventRaised named by the request. */
static int deliver_to_orch(struct engine_batch *b, const struct rt_entity_out *o)
{
	struct rt_event ev;
	rt_event_init(&ev, RT_EV_EVENT_RAISED);
	ev.timestamp_us = b->now_us;
	ev.name = o->event;
	ev.input = o->data;
	return engine_inbox_add(b, o->target, o->execution_id, 0, &ev);
}

/* What the batch's callbacks reach. */
struct entity_ctx {
	const struct rt_engine_hooks *h;
	struct engine_batch *b;
};

static void run_entity(void *ctx, void *fn, struct rt_entity_op *op)
{
	const struct rt_engine_hooks *h = ((struct entity_ctx *)ctx)->h;
	h->run_entity(h->ctx, fn, op);
}

static int holder_alive(void *ctx, const char *instance_id)
{
	struct engine_batch *b = ((struct entity_ctx *)ctx)->b;
	struct rt_instance inst;
	int rc = rt_store_instance_get(b->e->store, instance_id, &inst, &b->arena);
	/* On a read error keep the lock: releasing it wrongly would break the
	 * critical section; keeping it only delays. */
	if (rc != 0)
		return rc != RT_E_NOTFOUND;
	return !rt_status_is_terminal(inst.status);
}

static int start_orchestration(struct engine_batch *b, const char *entity,
			       const struct rt_entity_action *a)
{
	const struct rt_engine_hooks *h = &b->e->opts.hooks;
	char id[33], *err = NULL;
	const char *instance_id = a->instance_id;
	if (!h->find_orchestrator || !h->find_orchestrator(h->ctx, a->name)) {
		engine_log(b->e, "Host.Triggers.DurableTask", 3,
			   "%s: orchestrator '%s' to start does not exist; not started", entity,
			   a->name);
		return 0;
	}
	if (!instance_id) {
		rt_uuid_random_hex(id);
		instance_id = id;
	}
	int rc = engine_create_instance(b, instance_id, a->name, a->input, NULL, &err);
	if (rc == RT_E_EXISTS || rc == RT_E_INVALID) {
		engine_log(b->e, "Host.Triggers.DurableTask", 3, "%s: not starting '%s' as '%s': %s",
			   entity, a->name, instance_id, err ? err : "");
		rc = RT_OK;
	}
	free(err);
	return rc == RT_OK ? 0 : -1;
}

/* Any inbox row left for the instance, visible or scheduled. */
static int has_more_messages(struct engine_batch *b, const char *instance_id)
{
	struct rt_inbox_msg *msgs;
	size_t n = 0;
	if (rt_store_inbox_load(b->e->store, instance_id, INT64_MAX, 1, &msgs, &n, &b->arena) != 0)
		return -1;
	return n > 0;
}

static int write_entity(struct engine_batch *b, const struct rt_instance *old, int exists,
			const struct rt_entity_batch *eb, int self_mail)
{
	struct rt_store *st = b->e->store;
	struct rt_instance row;
	char exec_id[33];

	if (!eb->new_state && !eb->new_scheduler) {
		/* Deleted (or never created): the row goes, unless messages
		 * (scheduled signals, mail to itself) still wait for it. */
		if (!exists)
			return 0;
		int more = self_mail ? 1 : has_more_messages(b, eb->instance_id);
		if (more < 0)
			return -1;
		if (!more) {
			int rc = rt_store_instance_delete(st, eb->instance_id);
			return rc == 0 || rc == RT_E_NOTFOUND ? 0 : -1;
		}
	}
	if (exists && !eb->changed)
		return 0;
	const char *sched = eb->new_scheduler ? eb->new_scheduler : "null";
	const char *status =
		rt_entity_status_json(&b->arena, eb->new_state != NULL, eb->queue_len, eb->locked_by);
	if (exists && old->status == RT_ST_RUNNING && old->name && strcmp(old->name, eb->name) == 0)
		return rt_store_entity_put_state(st, eb->instance_id,
						 eb->ops_run ? b->now_us : old->updated_us, status,
						 eb->new_state, sched);
	/* A new entity, or a row that is not quite an entity's (written by
	 * hand, another name's case): every column. */
	memset(&row, 0, sizeof(row));
	row.instance_id = eb->instance_id;
	row.name = eb->name;
	if (exists) {
		row.execution_id = old->execution_id;
		row.created_us = old->created_us;
		row.generation = old->generation;
	} else {
		rt_uuid_random_hex(exec_id);
		row.execution_id = exec_id;
		row.created_us = b->now_us;
	}
	row.status = RT_ST_RUNNING;
	row.updated_us = eb->ops_run || !exists ? b->now_us : old->updated_us;
	row.parent_task_id = -1;
	row.input = sched;
	row.output = eb->new_state;
	row.custom_status = status;
	return rt_store_instance_put(st, &row, exists);
}

/* A batch that does not run now: its stored messages and its in-batch mail
 * go back to the inbox out of sight until visible_us, in arrival order (a
 * scheduled signal due later keeps its time). */
static int entity_wait(struct engine_batch *b, const char *instance_id,
		       const struct rt_inbox_msg *stored, const int64_t *ids, size_t nstored,
		       struct engine_mail *mail, int64_t visible_us)
{
	if (nstored && rt_store_inbox_delete(b->e->store, ids, nstored, NULL) != 0)
		return -1;
	for (size_t i = 0; i < nstored; i++) {
		struct rt_inbox_msg msg = stored[i];
		msg.instance_id = instance_id;
		if (msg.visible_us <= b->now_us)
			msg.visible_us = visible_us;
		if (rt_store_inbox_add(b->e->store, &msg, NULL) != 0)
			return -1;
	}
	for (; mail; mail = mail->next)
		if (engine_mail_store(b, instance_id, mail, visible_us, NULL) != 0)
			return -1;
	return 0;
}

/* One entity's batch between its preparation and its commit: what
 * engine_entity_batch loaded, what the run needs and what the commit
 * writes (all in the batch arena). */
struct engine_entity_job {
	struct engine_entity_job *next;
	const char *instance_id;
	struct rt_instance inst;
	int exists;
	struct rt_inbox_msg *stored;
	int64_t *ids;
	size_t nstored;
	struct engine_mail *mail;
	struct rt_entity_batch eb;
	struct entity_ctx ectx;
	struct rt_invocation inv;
	int reported;
};

/* The tail of an entity batch: its outcome `rc` committed (or, -2, its
 * messages put back to wait). */
static void entity_finish(struct engine_batch *b, struct engine_entity_job *j, int rc)
{
	struct rt_engine *e = b->e;
	struct rt_store *st = e->store;
	const struct rt_engine_hooks *h = &e->opts.hooks;
	struct rt_entity_batch *eb = &j->eb;
	const char *instance_id = j->instance_id;
	int self_mail = 0;

	if (j->reported) {
		j->inv.failed = rc == -2;
		j->inv.extra = rt_arena_fmt(&b->arena, ", Operations=%zu", rc == -2 ? 0 : eb->ops_run);
		h->invocation(&j->inv, RT_INVOCATION_END);
	}
	if (rc == -2) {
		/* It could not run (its worker process died): nothing of it
		 * is committed, its messages are tried again a second later
		 * (no back-off: that is for an app that is down). */
		if (entity_wait(b, instance_id, j->stored, j->ids, j->nstored, j->mail,
				b->now_us + RT_ENGINE_NOT_NOW_US) != 0)
			goto fail;
		return;
	}
	/* No savepoint: every failure below fails the whole batch, which
	 * rolls the transaction back, and the per-operation rollback lives in
	 * memory (entity_batch.c). Two statements less per entity. */
	if (rc == 0 && j->nstored && rt_store_inbox_delete(st, j->ids, j->nstored, NULL) != 0)
		goto fail;
	if (rc != 0) {
		engine_log(e, "Host.Triggers.DurableTask", RT_LOG_ERROR, "%s: unreadable entity record; messages kept",
			   instance_id);
		goto fail;
	}
	for (size_t i = 0; i < eb->nouts; i++) {
		const struct rt_entity_out *o = &eb->outs[i];
		if (!o->target)
			continue;
		if (strcmp(o->target, instance_id) == 0)
			self_mail = 1;
		if (rt_entity_id_is(o->target) ? engine_entity_deliver(b, o->target, o->event, o->data,
								       o->visible_us) != 0
						: deliver_to_orch(b, o) != 0)
			goto fail;
	}
	for (size_t i = 0; i < eb->nstarts; i++)
		if (start_orchestration(b, instance_id, &eb->starts[i]) != 0)
			goto fail;
	if (write_entity(b, &j->inst, j->exists, eb, self_mail) != 0)
		goto fail;
	e->stats.episodes++;
	return;
fail:
	engine_log(e, "Host.Triggers.DurableTask", RT_LOG_ERROR, "%s: entity batch not committed: %s",
		   instance_id, rt_store_errmsg(st));
	b->failed = 1;
}

struct entity_flush {
	struct engine_batch *b;
	struct engine_entity_job **jobs;
	int *rcs;
};

/* The hook's done(): one entity's batch is final, write it now. */
static void entity_done(void *arg, size_t i)
{
	struct entity_flush *f = arg;
	if (!f->b->failed)
		entity_finish(f->b, f->jobs[i], f->rcs[i]);
}

void engine_entity_flush(struct engine_batch *b)
{
	const struct rt_engine_hooks *h = &b->e->opts.hooks;
	struct engine_entity_job *list = b->entity_jobs;
	size_t n = b->nentity_jobs, i = 0;

	b->entity_jobs = b->entity_jobs_tail = NULL;
	b->nentity_jobs = 0;
	if (!list || b->failed)
		return;
	void **fns = rt_arena_alloc(&b->arena, n * sizeof(*fns));
	struct rt_entity_batch **ebs = rt_arena_alloc(&b->arena, n * sizeof(*ebs));
	struct entity_flush f = {
		.b = b,
		.jobs = rt_arena_alloc(&b->arena, n * sizeof(*f.jobs)),
		.rcs = rt_arena_alloc(&b->arena, n * sizeof(*f.rcs)),
	};
	for (struct engine_entity_job *j = list; j; j = j->next, i++) {
		fns[i] = j->eb.fn;
		ebs[i] = &j->eb;
		f.jobs[i] = j;
		f.rcs[i] = -1;
	}
	h->run_entity_batches(h->ctx, n, fns, ebs, f.rcs, entity_done, &f);
}

void engine_entity_batch(struct engine_batch *b, const char *instance_id)
{
	struct rt_engine *e = b->e;
	struct rt_store *st = e->store;
	const struct rt_engine_hooks *h = &e->opts.hooks;
	struct engine_mail *mail = engine_mail_take(b, instance_id);
	struct rt_inbox_msg *stored = NULL;
	size_t nstored = 0, nmail = 0, nmsgs = 0;
	struct rt_instance inst;
	int rc, exists;

	b->episodes++;
	rc = rt_store_instance_get(st, instance_id, &inst, &b->arena);
	if (rc != 0 && rc != RT_E_NOTFOUND) {
		b->failed = 1;
		return;
	}
	exists = rc == 0;
	size_t batch_max = e->opts.entity_batch_max > 0 ? (size_t)e->opts.entity_batch_max
							: ENTITY_BATCH_MAX;
	if (engine_may_have_stored(b, instance_id) &&
	    rt_store_inbox_load(st, instance_id, b->now_us, batch_max, &stored, &nstored,
				&b->arena) != 0) {
		b->failed = 1;
		return;
	}
	/* A backlog: this batch takes the oldest batch_max messages and the
	 * next batch goes on. The mail past them is newer than what is stored,
	 * so it is stored behind it rather than overtaking it. */
	struct engine_mail **cut = &mail;
	for (size_t taken = nstored; *cut && taken < batch_max; taken++)
		cut = &(*cut)->next;
	if (*cut) {
		for (struct engine_mail *m = *cut; m; m = m->next) {
			struct rt_inbox_msg msg;
			memset(&msg, 0, sizeof(msg));
			msg.instance_id = instance_id;
			msg.execution_id = m->execution_id;
			msg.type = m->type;
			msg.data = m->data;
			msg.len = m->len;
			if (rt_store_inbox_add(st, &msg, NULL) != 0) {
				b->failed = 1;
				return;
			}
		}
		*cut = NULL;
		b->more = 1;
	} else if (nstored == batch_max) {
		b->more = 1;
	}
	struct engine_mail *mail_head = mail;
	for (struct engine_mail *m = mail; m; m = m->next)
		nmail++;
	struct rt_entity_msg *msgs = rt_arena_calloc(&b->arena, (nstored + nmail + 1) * sizeof(*msgs));
	int64_t *ids = rt_arena_alloc(&b->arena, (nstored + 1) * sizeof(*ids));
	/* Stored messages are older than this batch's mail: arrival order. */
	for (size_t i = 0; i < nstored + nmail; i++) {
		struct rt_event ev;
		const void *data;
		size_t len;
		int type;
		if (i < nstored) {
			ids[i] = stored[i].id;
			data = stored[i].data;
			len = stored[i].len;
			type = stored[i].type;
		} else {
			const struct rt_entity_msg *decoded = mail->decoded;
			data = mail->data;
			len = mail->len;
			type = mail->type;
			mail = mail->next;
			if (decoded) {
				/* A client's signal: no decoding, no JSON parse. */
				msgs[nmsgs++] = *decoded;
				continue;
			}
		}
		/* Only entity messages mean anything here; terminate, suspend
		 * and the like, sent to an entity's id, are consumed. */
		if (type != RT_EV_EVENT_RAISED || rt_history_decode(data, len, &ev, &b->arena) != 0)
			continue;
		if (rt_entity_msg_parse(ev.name, ev.input, &msgs[nmsgs], &b->arena) != 0) {
			engine_log(e, "Host.Triggers.DurableTask", RT_LOG_WARNING,
				   "%s: dropped a message that is not an entity request", instance_id);
			continue;
		}
		nmsgs++;
	}

	struct engine_entity_job *j = rt_arena_calloc(&b->arena, sizeof(*j));
	struct rt_entity_batch *eb = &j->eb;
	j->instance_id = instance_id;
	j->inst = inst;
	j->exists = exists;
	j->stored = stored;
	j->ids = ids;
	j->nstored = nstored;
	j->mail = mail_head;
	eb->instance_id = instance_id;
	if (rt_entity_id_split(instance_id, &b->arena, &eb->name, &eb->key) != 0) {
		eb->name = "";
		eb->key = "";
	}
	eb->state = exists ? inst.output : NULL;
	eb->scheduler = exists ? inst.input : NULL;
	eb->msgs = msgs;
	eb->nmsgs = nmsgs;
	eb->fn = h->find_entity && *eb->name ? h->find_entity(h->ctx, eb->name) : NULL;
	j->ectx = (struct entity_ctx){.h = h, .b = b};
	eb->run = run_entity;
	eb->alive = holder_alive;
	eb->ctx = &j->ectx;
	eb->arena = &b->arena;
	eb->keep_failed = e->opts.entity_keep_failed;

	/* Its app cannot run now (engine.h, can_run): nothing runs, nothing
	 * is counted, no console line; the messages wait (backing off). */
	if (eb->fn && nmsgs > 0 && h->can_run && !h->can_run(h->ctx, eb->fn)) {
		if (entity_wait(b, instance_id, stored, ids, nstored, mail_head,
				engine_not_now_until(b)) != 0) {
			engine_log(e, "Host.Triggers.DurableTask", RT_LOG_ERROR,
				   "%s: entity batch not committed: %s", instance_id, rt_store_errmsg(st));
			b->failed = 1;
		}
		return;
	}
	/* One Executing/Executed pair per batch, as func logs an entity
	 * function's invocation (not one per operation). */
	j->inv = (struct rt_invocation){.function = eb->name};
	j->reported = h->invocation && eb->fn && nmsgs > 0;
	if (j->reported)
		h->invocation(&j->inv, RT_INVOCATION_START);
	if (h->run_entity_batches && eb->fn) {
		/* It runs with the others of this batch (engine_entity_flush). */
		if (b->entity_jobs_tail)
			b->entity_jobs_tail->next = j;
		else
			b->entity_jobs = j;
		b->entity_jobs_tail = j;
		b->nentity_jobs++;
		return;
	}
	rc = h->run_entity_batch && eb->fn ? h->run_entity_batch(h->ctx, eb->fn, eb)
					   : rt_entity_batch_run(eb);
	entity_finish(b, j, rc);
}

/* ---- clients ------------------------------------------------------------- */

void engine_entity_apply_signal(struct engine_batch *b, struct engine_cmd *c)
{
	const struct rt_engine_hooks *h = &b->e->opts.hooks;
	const char *name, *key;
	if (rt_entity_id_split(c->instance_id, &b->arena, &name, &key) != 0) {
		c->rc = RT_E_INVALID;
		c->err = xstrdup("not an entity id");
		return;
	}
	if (!h->find_entity || !h->find_entity(h->ctx, name)) {
		c->rc = RT_E_NOTFOUND;
		c->err = xasprintf("The function '%s' doesn't exist, is disabled, or is not an entity "
				   "function. Additional info: No entity function named '%s' was found.",
				   name, name);
		return;
	}
	int64_t due_us = c->at_us > b->now_us ? c->at_us : 0;
	const char *msg = rt_entity_msg_op(&b->arena, c->name, c->data, 1, NULL, NULL, NULL, due_us);
	/* What rt_entity_msg_parse would make of msg, for the entity's batch
	 * when it runs in this one (strings in the batch arena). Text that is
	 * not UTF-8 is left to the parse, which knows what JSON made of it. */
	struct rt_entity_msg *decoded = NULL;
	if (rt_utf8_valid(c->name ? c->name : "") && (!c->data || rt_utf8_valid(c->data))) {
		decoded = rt_arena_calloc(&b->arena, sizeof(*decoded));
		decoded->kind = RT_EMSG_OP;
		decoded->op = rt_arena_strdup(&b->arena, c->name ? c->name : "");
		decoded->input = rt_arena_strdup(&b->arena, c->data);
		decoded->signal = 1;
		decoded->due_us = due_us;
		decoded->raw = msg;
	}
	if (deliver(b, c->instance_id, RT_ENTITY_OP_EVENT, msg, c->at_us, decoded) != 0) {
		/* A store error fails the batch: signals run without a
		 * savepoint of their own (engine_apply_cmd). */
		c->rc = RT_ERROR;
		c->err = xstrdup(rt_store_errmsg(b->e->store));
		b->failed = 1;
		return;
	}
	c->rc = RT_OK;
}

int rt_engine_signal_entity(struct rt_engine *e, const char *name, const char *key,
			    const char *op, const char *input, int64_t at_us, char **err)
{
	const char *problem = rt_entity_id_problem(name, key);
	struct rt_arena a;
	int rc;
	if (err)
		*err = NULL;
	if (problem) {
		if (err)
			*err = xasprintf("Invalid entity id: %s.", problem);
		return RT_E_INVALID;
	}
	if (!rt_json_text_ok(input)) {
		if (err)
			*err = xstrdup("the operation input is not valid JSON");
		return RT_E_INVALID;
	}
	rt_arena_init(&a);
	struct engine_cmd c = {.kind = CMD_SIGNAL,
			       .instance_id = rt_entity_id(&a, name, key),
			       .name = op ? op : "",
			       .data = input,
			       .at_us = at_us};
	rc = engine_cmd_submit(e, &c, err);
	rt_arena_cleanup(&a);
	return rc;
}

int rt_engine_signal_entity_async(struct rt_engine *e, const char *name, const char *key,
				  const char *op, const char *input, int64_t at_us,
				  rt_engine_done_fn on_done, void *user)
{
	size_t idlen = strlen(name) + strlen(key) + 3;
	/* One block: engine_cmd_free() frees the command, and the id with it. */
	struct engine_cmd *c = xcalloc(1, sizeof(*c) + idlen);
	char *id = (char *)(c + 1);
	snprintf(id, idlen, "@%s@%s", name, key);
	for (char *p = id + 1; *p && *p != '@'; p++)
		*p = (char)tolower((unsigned char)*p);
	c->kind = CMD_SIGNAL;
	c->instance_id = id;
	c->name = xstrdup(op ? op : "");
	c->data = input ? xstrdup(input) : NULL;
	c->at_us = at_us;
	c->on_done = on_done;
	c->user = user;
	if (engine_cmd_enqueue(e, c) != 0) {
		engine_cmd_free(c);
		return RT_ERROR;
	}
	return RT_OK;
}

/* The client's view of one instance row, NULL state when it has none. */
static int row_of(const struct rt_instance *inst, int with_state, struct rt_entity_row *out,
		  struct rt_arena *a)
{
	memset(out, 0, sizeof(*out));
	if (!inst->output || rt_entity_id_split(inst->instance_id, a, &out->name, &out->key) != 0)
		return -1;
	out->state = with_state ? inst->output : NULL;
	out->last_op_us = inst->updated_us;
	if (inst->custom_status && strstr(inst->custom_status, "\"lockedBy\":\"")) {
		const char *p = strstr(inst->custom_status, "\"lockedBy\":\"") + 12;
		const char *q = strchr(p, '"');
		if (q)
			out->locked_by = rt_arena_strndup(a, p, (size_t)(q - p));
	}
	return 0;
}

int rt_engine_entity_get(struct rt_store *s, const char *name, const char *key,
			 struct rt_entity_row *out, struct rt_arena *a)
{
	struct rt_instance inst;
	if (rt_entity_id_problem(name, key))
		return RT_E_NOTFOUND;
	int rc = rt_store_instance_get(s, rt_entity_id(a, name, key), &inst, a);
	if (rc != 0)
		return rc;
	return row_of(&inst, 1, out, a) == 0 ? 0 : RT_E_NOTFOUND;
}

int rt_engine_entity_list(struct rt_store *s, const char *name, int64_t from_us, int64_t to_us,
			  int with_state, const char *after, size_t top, struct rt_entity_row **rows,
			  size_t *n, const char **next, struct rt_arena *a)
{
	struct rt_store_filter f;
	struct rt_instance *inst;
	size_t ni;
	rt_store_filter_init(&f);
	f.prefix = name ? rt_entity_id(a, name, "") : "@";
	/* The state is the output column: read it only when asked for. */
	f.skip_input = 1;
	int rc = rt_store_instance_list(s, &f, after, top ? top : 1, &inst, &ni, next, a);
	if (rc != 0)
		return rc;
	*rows = rt_arena_calloc(a, (ni + 1) * sizeof(**rows));
	*n = 0;
	for (size_t i = 0; i < ni; i++) {
		if (inst[i].updated_us < from_us || inst[i].updated_us > to_us)
			continue;
		if (row_of(&inst[i], with_state, &(*rows)[*n], a) == 0)
			(*n)++;
	}
	return 0;
}

/* The lock holder named in an entity's custom status, NULL when none. */
static const char *holder_of(const struct rt_instance *inst, struct rt_arena *a)
{
	static const char key[] = "\"lockedBy\":\"";
	const char *p = inst->custom_status ? strstr(inst->custom_status, key) : NULL, *q;
	if (!p || !(q = strchr(p + sizeof(key) - 1, '"')))
		return NULL;
	p += sizeof(key) - 1;
	return rt_arena_strndup(a, p, (size_t)(q - p));
}

void engine_entity_apply_clean(struct engine_batch *b, struct engine_cmd *c)
{
	struct rt_store *st = b->e->store;
	struct rt_store_filter f;
	const char *after = NULL, *next = NULL;
	rt_store_filter_init(&f);
	f.prefix = "@";
	c->count = 0;
	c->at_us = 0;
	do {
		struct rt_instance *rows;
		size_t n;
		if (rt_store_instance_list(st, &f, after, 256, &rows, &n, &next, &b->arena) != 0)
			goto fail;
		for (size_t i = 0; i < n; i++) {
			const struct rt_instance *r = &rows[i];
			const char *holder = holder_of(r, &b->arena);
			int queued = r->input && strcmp(r->input, "null") != 0;
			if (holder) {
				if (holder_alive(&(struct entity_ctx){.b = b}, holder))
					continue;
				/* Released as the holder would: the entity's next
				 * batch unlocks and runs what waited. */
				const char *msg = rt_entity_msg_release(&b->arena, NULL, holder);
				if (engine_entity_deliver(b, r->instance_id, RT_ENTITY_RELEASE_EVENT, msg,
							  0) != 0)
					goto fail;
				c->at_us++;
			} else if (!r->output && !queued) {
				int more = has_more_messages(b, r->instance_id);
				if (more < 0)
					goto fail;
				if (more)
					continue;
				if (rt_store_instance_delete(st, r->instance_id) != 0)
					goto fail;
				c->count++;
			}
		}
		after = next;
	} while (next);
	c->rc = RT_OK;
	return;
fail:
	c->rc = RT_ERROR;
	c->err = xstrdup(rt_store_errmsg(st));
}

int rt_engine_entity_clean(struct rt_engine *e, int64_t *removed, int64_t *released, char **err)
{
	struct engine_cmd c = {.kind = CMD_ENTITY_CLEAN};
	if (err)
		*err = NULL;
	int rc = engine_cmd_submit(e, &c, err);
	if (removed)
		*removed = c.count;
	if (released)
		*released = c.at_us;
	return rc;
}
