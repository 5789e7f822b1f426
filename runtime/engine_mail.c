/*
 * engine_mail.c - in-batch delivery. A message that is deliverable now goes
 * to a per-batch mailbox instead of the inbox table; the episode that runs
 * for its instance in the same transaction consumes it, which saves an
 * insert and a delete. Whatever is left when the batch ends is written to
 * the inbox before the commit, so nothing is held only in memory across a
 * commit and durability is unchanged.
 */
#include "runtime/engine_int.h"
#include "common/queue.h"
#include "common/hash.h"
#include "common/xalloc.h"

#include <string.h>

static struct engine_mailbox *box_find(struct engine_batch *b, const char *id, int create)
{
	if (create && (b->nboxes + 1) * 2 > b->capboxes) {
		struct engine_mailbox *old = b->boxes;
		size_t oldcap = b->capboxes;
		b->capboxes = oldcap ? oldcap * 2 : 256;
		b->boxes = rt_arena_calloc(&b->arena, b->capboxes * sizeof(*b->boxes));
		for (size_t i = 0; i < oldcap; i++) {
			if (!old[i].instance_id)
				continue;
			size_t j = rt_hash_str(old[i].instance_id) & (b->capboxes - 1);
			while (b->boxes[j].instance_id)
				j = (j + 1) & (b->capboxes - 1);
			b->boxes[j] = old[i];
		}
	}
	if (!b->capboxes)
		return NULL;
	size_t i = rt_hash_str(id) & (b->capboxes - 1);
	while (b->boxes[i].instance_id) {
		if (strcmp(b->boxes[i].instance_id, id) == 0)
			return &b->boxes[i];
		i = (i + 1) & (b->capboxes - 1);
	}
	if (!create)
		return NULL;
	b->boxes[i].instance_id = rt_arena_strdup(&b->arena, id);
	b->nboxes++;
	return &b->boxes[i];
}

int engine_may_have_stored(struct engine_batch *b, const char *instance_id)
{
	/* Visible inbox rows exist only for instances on the ready list, unless
	 * that list was cut at the batch limit (mail is stored after episodes). */
	struct engine_mailbox *box;
	if (!b->ready_complete)
		return 1;
	box = box_find(b, instance_id, 0);
	return box && box->stored;
}

struct engine_mail *engine_mail_take(struct engine_batch *b, const char *instance_id)
{
	struct engine_mailbox *box = box_find(b, instance_id, 0);
	struct engine_mail *m;
	if (!box)
		return NULL;
	m = box->head;
	box->head = box->tail = NULL;
	return m;
}

static void mail_put(struct engine_batch *b, const char *instance_id, const char *execution_id,
		     const struct rt_event *ev, const void *decoded)
{
	struct engine_mailbox *box = box_find(b, instance_id, 1);
	struct engine_mail *m = rt_arena_calloc(&b->arena, sizeof(*m));
	b->enc_len = 0;
	rt_history_encode(ev, &b->enc, &b->enc_len, &b->enc_cap);
	m->execution_id = rt_arena_strdup(&b->arena, execution_id);
	m->type = (int)ev->type;
	m->data = rt_arena_strndup(&b->arena, (const char *)b->enc, b->enc_len);
	m->len = b->enc_len;
	m->decoded = decoded;
	RT_QUEUE_APPEND(box->head, box->tail, m, next);
	if (b->nmail_order == b->capmail_order) {
		size_t cap = b->capmail_order ? 2 * b->capmail_order : 256;
		const char **order = rt_arena_alloc(&b->arena, cap * sizeof(*order));
		if (b->nmail_order)
			memcpy(order, b->mail_order, b->nmail_order * sizeof(*order));
		b->mail_order = order;
		b->capmail_order = cap;
	}
	b->mail_order[b->nmail_order++] = box->instance_id;
}

void engine_mail_mark_stored(struct engine_batch *b, const char *instance_id)
{
	box_find(b, instance_id, 1)->stored = 1;
}

int engine_inbox_add(struct engine_batch *b, const char *instance_id, const char *execution_id,
		     int64_t visible_us, const struct rt_event *ev)
{
	return engine_inbox_add_decoded(b, instance_id, execution_id, visible_us, ev, NULL);
}

int engine_inbox_add_decoded(struct engine_batch *b, const char *instance_id,
			     const char *execution_id, int64_t visible_us,
			     const struct rt_event *ev, const void *decoded)
{
	struct rt_inbox_msg m;

	if (b->mail_on && visible_us <= b->now_us) {
		mail_put(b, instance_id, execution_id, ev, decoded);
		return 0;
	}
	memset(&m, 0, sizeof(m));
	b->enc_len = 0;
	rt_history_encode(ev, &b->enc, &b->enc_len, &b->enc_cap);
	m.instance_id = instance_id;
	m.execution_id = execution_id;
	m.visible_us = visible_us;
	m.type = (int)ev->type;
	m.data = b->enc;
	m.len = b->enc_len;
	/* Deliverable now: it needs an episode in the next batch. Timers wake
	 * the engine through their due time instead. */
	if (visible_us <= b->now_us)
		b->more = 1;
	return rt_store_inbox_add(b->e->store, &m, NULL);
}

/* Episodes for instances that got messages during this batch, in the order
 * they got them; an episode may send more (children, parents, itself), so
 * go round until nothing is left or the batch is full. */
void engine_mail_run(struct engine_batch *b)
{
	int progress = 1;
	while (progress && !b->failed && b->episodes < ENGINE_BATCH_EPISODES) {
		progress = 0;
		for (size_t i = 0; i < b->nmail_order && !b->failed; i++) {
			struct engine_mailbox *box = box_find(b, b->mail_order[i], 0);
			/* A busy instance's mail goes to the inbox at the end. */
			if (!box || !box->head || engine_offload_busy(b->e, box->instance_id))
				continue;
			if (b->episodes >= ENGINE_BATCH_EPISODES || engine_batch_over_budget(b)) {
				b->more = 1;
				break;
			}
			engine_episode(b, box->instance_id);
			progress = 1;
		}
		/* This round's replays together; their mail is the next round's. */
		engine_episode_flush(b);
		if (b->more && (b->episodes >= ENGINE_BATCH_EPISODES || engine_batch_over_budget(b)))
			return;
	}
}

int engine_mail_store(struct engine_batch *b, const char *instance_id, const struct engine_mail *m,
		      int64_t visible_us, int64_t *id)
{
	struct rt_inbox_msg msg;
	memset(&msg, 0, sizeof(msg));
	msg.instance_id = instance_id;
	msg.execution_id = m->execution_id;
	msg.visible_us = visible_us;
	msg.type = m->type;
	msg.data = m->data;
	msg.len = m->len;
	return rt_store_inbox_add(b->e->store, &msg, id);
}

/* Mail nobody consumed goes to the inbox (same transaction). */
void engine_mail_flush(struct engine_batch *b)
{
	b->mail_on = 0;
	for (size_t i = 0; i < b->nmail_order && !b->failed; i++) {
		struct engine_mail *m = engine_mail_take(b, b->mail_order[i]);
		/* A busy instance is woken by its replay's return or the end of
		 * its rest, not by the next batch. */
		int busy = m && engine_offload_busy(b->e, b->mail_order[i]);
		for (; m; m = m->next) {
			int64_t visible = busy && engine_is_result(m->type)
						  ? b->now_us + ENGINE_OFFLOAD_PARK_US : 0;
			if (engine_mail_store(b, b->mail_order[i], m, visible, NULL) != 0)
				b->failed = 1;
			if (busy)
				engine_offload_note_mail(b->e, b->mail_order[i], m->type);
			else
				b->more = 1;
		}
	}
}

