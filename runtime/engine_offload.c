/*
 * engine_offload.c - heavy replays off the engine thread. A replay is pure
 * (history + new messages in, new events and actions out), so an episode
 * expected to take long (a fan-in re-running 100,000 task calls) is handed
 * to the replay thread while the engine thread keeps committing everyone
 * else's batches; its outcome is committed by a later batch.
 *
 * Invariants
 *   - While its replay is out, the instance is busy: no batch runs an
 *     episode for it, and everything sent to it waits in the inbox.
 *   - The messages a replay consumes stay in the inbox until the batch that
 *     commits their part of its outcome deletes them, in the same
 *     transaction: a crash or a failed batch at any point leaves them there
 *     and the episode simply runs again (nothing of a half-run episode is
 *     ever committed).
 *   - A large outcome of results only may be committed in pieces over
 *     several batches (see piecewise): each piece is what an episode that
 *     consumed those results and decided nothing would have committed, and
 *     the last one writes everything else. Until it, the instance stays
 *     busy, and each piece first checks the instance row as above.
 *   - That batch first checks the instance is still the one the replay saw
 *     (same execution, history length, status, generation) and that every
 *     consumed message is still there; otherwise (purged, overwritten, ...)
 *     the outcome is dropped and the episode runs again from the store.
 *   - A replay launched by a batch that then fails is dropped when it comes
 *     back (what it was given was never committed).
 *   - After a heavy outcome that scheduled nothing, the instance rests for
 *     a few times the replay's cost (as engine_cache.h's pacing does for
 *     episodes run inline), so its results gather and it replays a few
 *     times with many each; anything but a result, sent while the replay
 *     is out or during the rest, ends the rest at once.
 */
#include "runtime/engine_int.h"
#include "runtime/engine_core.h"
#include "common/queue.h"
#include "common/xalloc.h"
#include "common/clock.h"

#include <stdlib.h>
#include <string.h>

/* Replays expected to cost this much (the instance's last one did) go to
 * the replay thread; cheaper ones stay inline, where they cost one commit
 * less. A history this long with no cost known yet goes too. */
#define ENGINE_OFFLOAD_MIN_COST_US 5000
#define ENGINE_OFFLOAD_MIN_HISTORY 65536
/* Rest after a heavy outcome that scheduled nothing (see above). */
#define ENGINE_OFFLOAD_REST_FACTOR 3
#define ENGINE_OFFLOAD_REST_MAX_US 1000000
/* A large outcome is written a chunk of messages at a time: the 4,096
 * messages of a fan-in's replay cost 20-150 ms to write and commit on a
 * loaded machine, and a start that arrived meanwhile waited for all of
 * it. A batch stops after the chunk during which a few clients' commands
 * came (engine_batch_awaited): they wait for one chunk and the commit of
 * what was written. It stops in any case after ENGINE_OUTCOME_PIECE_US,
 * which bounds that commit. Time, not a count: what a row costs varies
 * with the load. Pieces are not made smaller than that when nobody
 * waits: each is a commit, and the instance takes no replay until the
 * last, so its results wait longer; past ENGINE_OFFLOAD_PARK_US they are
 * visible to every ready scan, which then walks tens of thousands of
 * rows per batch (2 ms pieces made a 100,000 fan-in take twice as long). */
#define ENGINE_OUTCOME_CHUNK 64
#define ENGINE_OUTCOME_PIECE_US (10 * ENGINE_BATCH_SHORT_US)

struct engine_replay_job {
	struct engine_replay_job *next;     /* e->replay_queue / replay_done (e->lock) */
	struct engine_replay_job *next_out; /* e->offloaded (engine thread) */
	struct rt_arena arena;              /* everything below points into it */
	char *instance_id;
	/* the instance as the replay saw it */
	char execution_id[33];
	int history_len;
	enum rt_status status;
	int64_t generation;
	/* inbox rows the replay consumes */
	int64_t *ids;
	size_t nids;
	struct engine_cache_loan *loan; /* the past, when the cache held it */
	struct rt_episode_in in;
	struct engine_episode_log lg;
	uint64_t batch; /* e->stats.batches when launched */
	int cancelled;  /* that batch failed (engine thread) */
	/* written by the replay thread */
	struct rt_episode_out out;
	int rc;
	int64_t replay_us;
	/* engine thread: the job is back, the instance may rest */
	int returned;
	int64_t rest_until_mono_us;
	int urgent; /* a message other than a result came while it rested */
	int in_batch; /* on b->replays of the running batch */
	int applied;  /* its outcome was written by the running batch */
	/* An outcome committed in pieces (see piecewise): how much of it the
	 * committed pieces hold, and whether the running batch wrote a piece
	 * and left the rest to the next one (the instance stays busy). */
	int piecewise; /* -1: not looked at yet */
	size_t msgs_done, events_done;
	int pieces_left;
};

static struct engine_replay_job *find_out(struct rt_engine *e, const char *instance_id)
{
	for (struct engine_replay_job *j = e->offloaded; j; j = j->next_out)
		if (strcmp(j->instance_id, instance_id) == 0)
			return j;
	return NULL;
}

static void job_free(struct rt_engine *e, struct engine_replay_job *j)
{
	engine_cache_give_back(e->cache, j->loan, 0, 0);
	rt_arena_cleanup(&j->arena);
	free(j);
}

/* Unlinks j from e->offloaded. */
static void unlink_out(struct rt_engine *e, struct engine_replay_job *j)
{
	for (struct engine_replay_job **p = &e->offloaded; *p; p = &(*p)->next_out)
		if (*p == j) {
			*p = j->next_out;
			return;
		}
}

int engine_offload_busy(struct rt_engine *e, const char *instance_id)
{
	struct engine_replay_job *j = e->offloaded ? find_out(e, instance_id) : NULL;
	if (!j)
		return 0;
	if (!j->returned || j->pieces_left)
		return 1; /* its replay is out, or its outcome is half written */
	return j->rest_until_mono_us && !j->urgent && rt_mono_us() < j->rest_until_mono_us;
}

int engine_offload_busy_cb(void *ctx, const char *instance_id)
{
	return engine_offload_busy(ctx, instance_id);
}

void engine_offload_note_mail(struct rt_engine *e, const char *instance_id, int type)
{
	struct engine_replay_job *j = e->offloaded ? find_out(e, instance_id) : NULL;
	if (j && !engine_is_result(type))
		j->urgent = 1;
}

int64_t engine_offload_wake_mono_us(struct rt_engine *e)
{
	int64_t t = 0;
	for (struct engine_replay_job *j = e->offloaded; j; j = j->next_out)
		if (j->returned && j->rest_until_mono_us && !j->urgent &&
		    (!t || j->rest_until_mono_us < t))
			t = j->rest_until_mono_us;
	return t;
}

int engine_offload_wanted(struct engine_batch *b, const struct rt_instance *inst)
{
	if (!b->e->replay_thread_up)
		return 0;
	return engine_cache_last_cost(b->e->cache, inst->instance_id) >= ENGINE_OFFLOAD_MIN_COST_US ||
	       inst->history_len >= ENGINE_OFFLOAD_MIN_HISTORY;
}

/* A copy of ev whose strings live in `a` (through the codec: every field). */
static int copy_event(struct engine_batch *b, const struct rt_event *ev, struct rt_event *out,
		      struct rt_arena *a)
{
	b->enc_len = 0;
	rt_history_encode(ev, &b->enc, &b->enc_len, &b->enc_cap);
	return rt_history_decode(b->enc, b->enc_len, out, a);
}

int engine_offload_launch(struct engine_batch *b, const struct rt_instance *inst,
			  const struct rt_episode_in *in, const int64_t *ids, size_t nids,
			  struct engine_mail *mail)
{
	struct rt_engine *e = b->e;
	struct rt_store *st = e->store;
	struct engine_replay_job *j = xcalloc(1, sizeof(*j));
	struct rt_arena *a = &j->arena;
	const struct rt_event *past = NULL;
	const struct rt_past_index *index = NULL;
	size_t nmail = 0;

	rt_arena_init(a);
	if (strlen(inst->execution_id) >= sizeof(j->execution_id))
		goto inline_instead;
	j->instance_id = rt_arena_strdup(a, inst->instance_id);
	j->piecewise = -1;
	strcpy(j->execution_id, inst->execution_id);
	j->history_len = inst->history_len;
	j->status = inst->status;
	j->generation = inst->generation;
	j->in = *in;
	j->in.instance_id = j->instance_id;
	j->in.execution_id = j->execution_id;
	j->in.name = rt_arena_strdup(a, in->name);
	j->in.custom_status = in->custom_status ? rt_arena_strdup(a, in->custom_status) : NULL;
	j->in.arena = a;
	struct rt_event *msgs = rt_arena_calloc(a, (in->n_msgs + 1) * sizeof(*msgs));
	for (size_t i = 0; i < in->n_msgs; i++) {
		if (copy_event(b, &in->msgs[i], &msgs[i], a) != 0)
			goto inline_instead;
		msgs[i].is_played = 0;
	}
	j->in.msgs = msgs;

	j->loan = engine_cache_lend(e->cache, inst->instance_id, inst->execution_id,
				    inst->history_len, &past, &index);
	if (!j->loan) {
		struct rt_history_row *rows;
		size_t nrows;
		if (rt_store_history_load(st, inst->instance_id, inst->execution_id, &rows, &nrows,
					  a) != 0 ||
		    (int)nrows != inst->history_len ||
		    !(past = engine_decode_rows(rows, nrows, a)))
			goto inline_instead;
		index = NULL;
	}
	j->in.past = past;
	j->in.n_past = (size_t)inst->history_len;
	j->in.past_index = index;

	/* This batch's mail goes to the inbox now (same transaction), so it
	 * is consumed, or kept, with the stored messages. */
	for (struct engine_mail *m = mail; m; m = m->next)
		nmail++;
	j->ids = rt_arena_alloc(a, (nids + nmail + 1) * sizeof(*j->ids));
	if (nids)
		memcpy(j->ids, ids, nids * sizeof(*ids));
	j->nids = nids;
	for (struct engine_mail *m = mail; m; m = m->next) {
		if (engine_mail_store(b, inst->instance_id, m, 0, &j->ids[j->nids]) != 0) {
			b->failed = 1;
			job_free(e, j);
			return 0; /* the batch rolls back; its mail comes again */
		}
		j->nids++;
	}

	engine_episode_begin(b, &j->in, &j->lg);
	j->batch = e->stats.batches;
	j->next_out = e->offloaded;
	e->offloaded = j;
	pthread_mutex_lock(&e->lock);
	RT_QUEUE_APPEND(e->replay_queue, e->replay_queue_tail, j, next);
	pthread_cond_signal(&e->replay_cond);
	/* Under the lock: in flight is offloaded minus returned. */
	e->stats.offloaded++;
	pthread_mutex_unlock(&e->lock);
	return 0;
inline_instead:
	/* The inline path loads the same and reports what fails. */
	engine_cache_give_back(e->cache, j->loan, 1, b->now_us);
	j->loan = NULL;
	job_free(e, j);
	return -1;
}

static void batch_failed(struct rt_engine *e, uint64_t batch)
{
	for (struct engine_replay_job *j = e->offloaded; j; j = j->next_out)
		if (j->batch == batch && !j->returned)
			j->cancelled = 1;
}

/* 1 if the instance row is still the one the replay saw (or that the
 * pieces of its outcome committed so far left). */
static int unchanged(const struct engine_replay_job *j, const struct rt_instance *inst)
{
	return strcmp(inst->execution_id, j->execution_id) == 0 &&
	       inst->history_len == j->history_len && inst->status == j->status &&
	       inst->generation == j->generation;
}

/* 1 if the outcome may be committed in pieces: every consumed message is
 * a result, and became the event at its place right after the episode's
 * OrchestratorStarted. A piece then writes the events of some results
 * and deletes their inbox rows, which leaves the instance exactly as an
 * episode that consumed those results and decided nothing yet would: so
 * a crash between pieces loses and duplicates nothing (the next episode
 * takes the rest from the inbox), and the last piece writes the rest of
 * the outcome (events, actions, status) as one commit would have. */
static int piecewise(const struct engine_replay_job *j)
{
	const struct rt_episode_out *o = &j->out;
	if (j->rc != 0 || j->in.n_msgs != j->nids || o->n_new_events < j->nids + 1 ||
	    o->new_events[0].type != RT_EV_ORCHESTRATOR_STARTED)
		return 0;
	for (size_t i = 0; i < j->nids; i++) {
		const struct rt_event *m = &j->in.msgs[i], *ev = &o->new_events[1 + i];
		if (!engine_is_result(m->type) || ev->type != m->type ||
		    ev->task_scheduled_id != m->task_scheduled_id)
			return 0;
	}
	return 1;
}

/* Writes whole chunks of the outcome (a chunk's events and its messages'
 * deletes) while more than a chunk is left, until a client waits or
 * ENGINE_OUTCOME_PIECE_US have passed. 1: it stopped with more left (the
 * instance row then says what was written: a piece), 0: what is left is
 * for apply_one's last write, 2: a message is gone (the outcome is
 * dropped), -1: store error. */
static int write_chunks(struct engine_batch *b, struct engine_replay_job *j,
			struct rt_instance *inst)
{
	struct rt_store *st = b->e->store;
	const struct rt_engine_hooks *h = &b->e->opts.hooks;
	const struct rt_episode_out *o = &j->out;
	int64_t t0 = rt_mono_us();
	int written = 0;

	while (j->nids - j->msgs_done > ENGINE_OUTCOME_CHUNK) {
		if (written &&
		    (engine_batch_awaited(b) || rt_mono_us() - t0 > ENGINE_OUTCOME_PIECE_US))
			break;
		size_t m0 = j->msgs_done, e0 = j->events_done, e1 = 1 + m0 + ENGINE_OUTCOME_CHUNK;
		struct rt_history_row *rows = rt_arena_alloc(&b->arena, (e1 - e0) * sizeof(*rows));
		int64_t deleted = 0;
		for (size_t k = e0; k < e1; k++)
			engine_encode_row(b, &o->new_events[k], inst->history_len + (int)(k - e0),
					  &rows[k - e0]);
		if (rt_store_history_append(st, j->instance_id, inst->execution_id, rows,
					    e1 - e0) != 0 ||
		    rt_store_inbox_delete(st, j->ids + m0, ENGINE_OUTCOME_CHUNK, &deleted) != 0)
			return -1;
		if (deleted != ENGINE_OUTCOME_CHUNK)
			return 2;
		j->msgs_done += ENGINE_OUTCOME_CHUNK;
		j->events_done = e1;
		inst->history_len += (int)(e1 - e0);
		written = 1;
		if (h->outcome_chunk)
			h->outcome_chunk(h->ctx, j->msgs_done, j->nids);
	}
	if (j->nids - j->msgs_done <= ENGINE_OUTCOME_CHUNK)
		return 0;
	inst->updated_us = b->now_us;
	if (rt_store_instance_update(st, inst) != 0)
		return -1;
	return 1;
}

/* Commits one returned replay's outcome, or the next piece of it (then
 * j->pieces_left), or drops it so that the episode runs again from the
 * store (what earlier pieces committed stays: the store is consistent
 * after each). */
static void apply_one(struct engine_batch *b, struct engine_replay_job *j)
{
	struct rt_engine *e = b->e;
	struct rt_store *st = e->store;
	struct rt_instance inst;
	int64_t deleted = 0;

	j->pieces_left = 0;
	if (j->cancelled)
		return;
	int rc = rt_store_instance_get(st, j->instance_id, &inst, &b->arena);
	if (rc == RT_E_NOTFOUND || (rc == 0 && !unchanged(j, &inst)))
		return;
	if (rc != 0 || rt_store_savepoint(st) != 0) {
		b->failed = 1;
		return;
	}
	if (j->piecewise < 0)
		j->piecewise = j->nids > ENGINE_OUTCOME_CHUNK && piecewise(j);
	if (j->piecewise) {
		rc = write_chunks(b, j, &inst);
		if (rc != 0) {
			if (rc == 1 && rt_store_savepoint_release(st) == 0) {
				j->history_len = inst.history_len;
				j->pieces_left = 1;
				b->pieces_written = 1;
				return;
			}
			rt_store_savepoint_rollback(st);
			if (rc != 2)
				b->failed = 1;
			return;
		}
	}
	size_t m0 = j->msgs_done;
	if (rt_store_inbox_delete(st, j->ids + m0, j->nids - m0, &deleted) != 0) {
		rt_store_savepoint_rollback(st);
		b->failed = 1;
		return;
	}
	if (deleted != (int64_t)(j->nids - m0)) {
		rt_store_savepoint_rollback(st);
		return;
	}
	/* Back in the table before the outcome appends to it; out's strings
	 * may live in it. What earlier pieces wrote goes in first, so the
	 * slot holds the history the instance row now counts. */
	engine_cache_give_back(e->cache, j->loan, 1, b->now_us);
	j->loan = NULL;
	if (j->events_done)
		engine_cache_append(e->cache, j->instance_id, inst.execution_id,
				    inst.history_len - (int)j->events_done, j->out.new_events,
				    j->events_done, b->now_us);
	struct rt_episode_out rest = j->out;
	rest.new_events += j->events_done;
	rest.n_new_events -= j->events_done;
	if (b->episode_outcome(b, &inst, &rest, j->rc, j->replay_us, &j->lg) == 1) {
		rt_store_savepoint_rollback(st);
		return;
	}
	j->applied = 1;
	/* A full replay means more are waiting: no rest then. */
	if (j->rc == 0 && j->out.n_actions == 0 && !rt_status_is_terminal(j->out.status) &&
	    j->nids < ENGINE_OFFLOAD_MAX_MSGS && !j->urgent) {
		int64_t rest_us = j->replay_us * ENGINE_OFFLOAD_REST_FACTOR;
		j->rest_until_mono_us =
			rt_mono_us() + (rest_us < ENGINE_OFFLOAD_REST_MAX_US ? rest_us : ENGINE_OFFLOAD_REST_MAX_US);
	}
}

/* An episode for an instance whose messages may all be parked (the
 * ready scan does not see them). */
static void follow_up(struct engine_batch *b, const char *instance_id)
{
	engine_mail_mark_stored(b, instance_id);
	b->run_episode(b, instance_id);
}

void engine_offload_apply(struct engine_batch *b)
{
	struct rt_engine *e = b->e;
	for (struct engine_replay_job *j = b->replays; j; j = j->next)
		j->returned = j->in_batch = 1;
	for (struct engine_replay_job *j = b->replays; j && !b->failed; j = j->next) {
		apply_one(b, j);
		/* What came meanwhile (parked) is taken now, unless it rests or
		 * the next batch writes more of the outcome. */
		if (!b->failed && !j->rest_until_mono_us && !j->pieces_left)
			follow_up(b, j->instance_id);
	}
	/* Rests that are over, or were cut short by a message. */
	for (struct engine_replay_job *j = e->offloaded, *next; j && !b->failed; j = next) {
		next = j->next_out;
		if (!j->returned || !j->rest_until_mono_us || j->in_batch ||
		    engine_offload_busy(e, j->instance_id))
			continue;
		const char *id = rt_arena_strdup(&b->arena, j->instance_id);
		unlink_out(e, j);
		job_free(e, j);
		follow_up(b, id);
		next = e->offloaded; /* the episode may have launched a replay */
	}
}

int engine_offload_put_back(struct engine_batch *b)
{
	struct rt_engine *e = b->e;
	struct engine_replay_job *last = b->replays;
	if (!last)
		return 0;
	while (last->next)
		last = last->next;
	pthread_mutex_lock(&e->lock);
	last->next = e->replay_done;
	if (!e->replay_done)
		e->replay_done_tail = last;
	e->replay_done = b->replays;
	pthread_mutex_unlock(&e->lock);
	b->replays = NULL;
	b->more = 1;
	return 1;
}

void engine_offload_after_batch(struct rt_engine *e, struct engine_batch *b)
{
	uint64_t applied = 0, dropped = 0, pieces = 0;
	struct engine_replay_job *again = NULL, *again_tail = NULL;
	for (struct engine_replay_job *j = b->replays, *next; j; j = next) {
		next = j->next;
		j->in_batch = 0;
		if (j->pieces_left && !b->failed) {
			/* The next batch writes the next piece; until then it
			 * counts as out (busy) and keeps its loan. */
			j->pieces_left = 0;
			j->returned = 0;
			j->next = NULL;
			RT_QUEUE_APPEND(again, again_tail, j, next);
			pieces++;
			continue;
		}
		j->pieces_left = 0;
		if (j->applied && !b->failed)
			applied++;
		else
			dropped++;
		j->applied = 0;
		/* A rest is kept only when the outcome is committed. */
		if (b->failed || !j->rest_until_mono_us) {
			unlink_out(e, j);
			job_free(e, j);
		} else {
			engine_cache_give_back(e->cache, j->loan, 0, 0);
			j->loan = NULL;
		}
	}
	b->replays = NULL;
	if (applied || dropped || pieces) {
		pthread_mutex_lock(&e->lock);
		e->stats.replays_applied += applied;
		e->stats.replays_dropped += dropped;
		e->stats.outcome_pieces += pieces;
		if (again) {
			again_tail->next = e->replay_done;
			if (!e->replay_done)
				e->replay_done_tail = again_tail;
			e->replay_done = again;
		}
		pthread_mutex_unlock(&e->lock);
	}
	if (b->failed)
		batch_failed(e, e->stats.batches);
}

void *engine_replay_main(void *arg)
{
	struct rt_engine *e = arg;
	const struct rt_engine_hooks *h = &e->opts.hooks;

	if (h->thread_event)
		h->thread_event(h->ctx, 0);
	pthread_mutex_lock(&e->lock);
	while (!e->stopping) {
		struct engine_replay_job *j = e->replay_queue;
		if (!j) {
			pthread_mutex_unlock(&e->lock);
			if (h->thread_event)
				h->thread_event(h->ctx, 1);
			pthread_mutex_lock(&e->lock);
			if (!e->replay_queue && !e->stopping)
				pthread_cond_wait(&e->replay_cond, &e->lock);
			continue;
		}
		e->replay_queue = j->next;
		if (!e->replay_queue)
			e->replay_queue_tail = NULL;
		j->next = NULL;
		pthread_mutex_unlock(&e->lock);
		int64_t t0 = rt_mono_us();
		j->rc = engine_episode_replay(h, &j->in, &j->out);
		j->replay_us = rt_mono_us() - t0;
		pthread_mutex_lock(&e->lock);
		e->stats.replays_returned++;
		e->stats.replay_us_total += j->replay_us;
		if (j->replay_us > e->stats.replay_us_max)
			e->stats.replay_us_max = j->replay_us;
		RT_QUEUE_APPEND(e->replay_done, e->replay_done_tail, j, next);
		pthread_cond_signal(&e->cond);
	}
	pthread_mutex_unlock(&e->lock);
	if (h->thread_event)
		h->thread_event(h->ctx, 2);
	return NULL;
}

void engine_offload_free_all(struct rt_engine *e)
{
	/* Queued and returned jobs are all on e->offloaded too. */
	for (struct engine_replay_job *j = e->offloaded, *next; j; j = next) {
		next = j->next_out;
		job_free(e, j);
	}
	e->offloaded = NULL;
	e->replay_queue = e->replay_queue_tail = NULL;
	e->replay_done = e->replay_done_tail = NULL;
}
