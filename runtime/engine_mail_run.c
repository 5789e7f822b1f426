/*
 * engine_mail_run.c - the batch's last steps over its in-batch mail
 * (engine_mail_run.h): episodes for the instances that got mail, round
 * after round, then what nobody consumed to the inbox. Above the episodes
 * and the offload, which it calls; the mailboxes are engine_mail.c's.
 */
#include "runtime/engine_core.h"
#include "runtime/engine_mail_run.h"

/* Episodes for instances that got messages during this batch, in the order
 * they got them; an episode may send more (children, parents, itself), so
 * go round until nothing is left or the batch is full. */
void engine_mail_run(struct engine_batch *b)
{
	int progress = 1;
	while (progress && !b->failed && b->episodes < ENGINE_BATCH_EPISODES) {
		progress = 0;
		for (size_t i = 0; i < b->nmail_order && !b->failed; i++) {
			struct engine_mailbox *box = engine_mailbox_find(b, b->mail_order[i], 0);
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
