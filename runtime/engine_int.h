/*
 * engine_int.h - the types the engine's files share, and the calls of the
 * files that have no header of their own. Not for use outside
 * runtime/engine*.c. The files form layers, each calling only those below
 * (check-layers rule 6), from the bottom: engine_mail.c (mailboxes),
 * engine_core.c (engine_core.h), engine_instance.c, engine_cmd_queue.c;
 * engine_activity.c and engine_offload.c; engine_entity.c;
 * engine_episode.c; engine_cmd.c; engine_mail_run.c; engine.c on top.
 */
#ifndef RT_ENGINE_INT_H
#define RT_ENGINE_INT_H

#include <pthread.h>

#include "runtime/engine.h"
#include "runtime/engine_cache.h"
#include "common/arena.h"
#include "common/clock.h"
#include "common/invocation.h"

struct rt_pool;

/* Batch sizes. maxConcurrentActivityFunctions caps activities *running*
 * (one thread each) and episodes run one at a time on the engine thread, so
 * these only bound how much one transaction holds. */
#define ENGINE_BATCH_EPISODES 1024
#define ENGINE_BATCH_ACTIVITIES 2048 /* dequeued, queued for the threads */
#define ENGINE_BATCH_COMMANDS 2048   /* the rest waits: backpressure on clients */
#define ENGINE_BATCH_BUDGET_US 20000 /* episode time per batch, see engine_batch_over_budget */
/* A batch that holds a few commands, or that they wait for, applies
 * results for a third of this, and once it has run this long dequeues at
 * most ENGINE_HURRY_MIN activities and leaves the ready scan to the next
 * batch, so a client's start is not held behind thousands of them.
 * Episodes keep ENGINE_BATCH_BUDGET_US: a flood of starts needs them. */
#define ENGINE_HURRY_US 3000
#define ENGINE_HURRY_MIN 64 /* results and dequeues every batch gets through */
/* Only for a few clients: a flood of starts is better served by full
 * batches (each start waits mostly for the ones before it). */
#define ENGINE_HURRY_MAX_CMDS 4
/* Every batch, waited for or not, applies results for at most this long
 * after its commands, and dequeues about as many activities as fit in as
 * long again (ENGINE_HURRY_MIN at least each): a command that arrives
 * while it runs waits for one short batch, not for thousands of results.
 * Their mail and the commit cost about three times this again. Counted
 * from the commands' end, so a flood of starts still gets this much
 * activity work per batch. */
#define ENGINE_BATCH_SHORT_US 2000
/* While a replay's outcome is written in pieces (engine_offload.c), the
 * ready scan runs at most this often: the pieces follow one another at
 * once, and every scan walks the results that wait for that instance
 * once they are visible (tens of thousands in a 100,000 fan-in). */
#define ENGINE_PIECE_SCAN_GAP_US 50000
/* A host crash within this time of a suspect's start is pinned on it alone;
 * past it, a long or hung suspect no longer holds the other work back. */
#define ENGINE_SUSPECT_QUIET_US 2000000

struct engine_replay_job; /* engine_offload.c */
struct engine_episode_log;

struct id_set {
	int64_t *keys;
	size_t cap, n;
};

enum engine_cmd_kind {
	CMD_START,
	CMD_RAISE,
	CMD_TERMINATE,
	CMD_SUSPEND,
	CMD_RESUME,
	CMD_REWIND,
	CMD_PURGE,
	CMD_PURGE_MANY,
	CMD_SIGNAL, /* entity signal: instance_id "@n@k", name = op, data = input */
	CMD_ENTITY_CLEAN, /* clean entity storage: count = removed, at_us = released */
};

/* A client request; lives on the caller's stack until done. */
struct engine_cmd {
	struct engine_cmd *next;
	enum engine_cmd_kind kind;
	const char *instance_id; /* START: NULL = generate */
	const char *name;        /* START: orchestrator; RAISE: event */
	const char *data;        /* START: input; RAISE: data; others: reason */
	const struct rt_store_filter *filter; /* PURGE_MANY */
	/* outcome, written by the engine thread */
	int rc;
	char *err;               /* malloc'd */
	char *out_id;            /* START: malloc'd */
	int64_t count;           /* PURGE_MANY */
	int64_t at_us;           /* SIGNAL: not before; 0 = at once */
	int done;
	/* A synchronous caller waits on its own condition variable (no
	 * thundering herd); an asynchronous one gets on_done after the commit
	 * and the engine frees the command. */
	pthread_cond_t *cond;
	rt_engine_done_fn on_done;
	void *user;
	/* START with a wait (rt_engine_start_async): nothing answers before
	 * the wait ends, so its commit need not be fsynced at once. */
	struct rt_engine_wait *wait;
	char id_buf[33];
};

/* One activity attempt from dequeue to applied result. */
struct engine_run {
	struct engine_run *next;
	int64_t activity_id;
	char *instance_id;
	char *execution_id;
	char *name;
	char *input;
	int task_id;
	int attempt;
	char key[280];
	int64_t started_us; /* rt_now_us() when a thread began it (TaskCompleted's started_us) */
	/* result */
	int failed;
	int not_run;  /* the runner could not run it now: postponed, not applied */
	char *result; /* JSON, or the failure message */
};

/* ---- attempts that are running (engine_attempts.c) ----------------------- */

struct engine_attempts;

/* An attempt the previous process started and never finished. */
struct engine_attempt {
	int64_t id;              /* activity row */
	int task_id;
	uint64_t instance_hash;  /* engine_attempts_hash(instance_id) */
};

/* Opens (creating) "<hub_path>-attempts" with a slot per activity thread
 * and reads what a previous process left in it. Never fails: without the
 * file the slots are plain memory and *warning (malloc'd) says so. */
struct engine_attempts *engine_attempts_open(const char *hub_path, int nthreads, char **warning);
/* The attempts found at open; BORROWED until engine_attempts_clear. */
size_t engine_attempts_left(const struct engine_attempts *a, const struct engine_attempt **left);
/* Clears every slot: once the counts of the left attempts are committed
 * (before any thread starts an attempt), and when a stop abandons running
 * attempts (the host gave up on them; they did not crash it). */
void engine_attempts_clear(struct engine_attempts *a);
/* Thread `slot` starts / finished an attempt of activity row `id`. */
void engine_attempts_begin(struct engine_attempts *a, int slot, int64_t id, int task_id,
			   const char *instance_id);
void engine_attempts_end(struct engine_attempts *a, int slot);
uint64_t engine_attempts_hash(const char *instance_id);
void engine_attempts_close(struct engine_attempts *a);

/* What one activity thread keeps between attempts; the thread's index in
 * the pool is also its slot in the attempts file. */
struct engine_worker {
	struct rt_arena arena; /* the attempt's call and result */
};

/* Work whose app cannot run now (engine_not_now.c): how long it waits,
 * growing while it keeps waiting, and the visible times it was given, so
 * that it can be brought forward when its app is back. Engine thread,
 * except `resume` (atomic). */
#define ENGINE_NOT_NOW_MAX_US (30 * 1000000LL)
#define ENGINE_NOT_NOW_MARKS 64
struct engine_not_now {
	int64_t since_us;  /* rt_now_us() of the first wait since the last resume, 0: none */
	int64_t marks[ENGINE_NOT_NOW_MARKS]; /* visible times given, newest at at - 1 */
	int nmarks, at;
	int resume;        /* rt_engine_retry_waiting asked for it */
};

struct rt_engine {
	struct engine_not_now not_now;
	struct rt_engine_opts opts;
	struct rt_store *store; /* engine thread only */
	struct engine_cache *cache; /* engine thread only */
	pthread_t thread;
	struct rt_pool *pool;           /* the activity threads (engine_activity.c) */
	struct engine_worker *workers;  /* [nthreads], by pool thread index */
	int nthreads;
	struct engine_attempts *attempts;
	int recovering;           /* the left attempts are not counted yet */

	pthread_mutex_t lock;
	pthread_cond_t cond;      /* wakes the engine thread */
	struct engine_cmd *cmds, *cmds_tail;
	struct engine_run *results, *results_tail;
	struct engine_run *runs, *runs_tail;
	struct id_set inflight;
	int running;               /* attempts under way on activity threads */
	/* Suspects (see engine.h): one starts only when every other running
	 * attempt has run ENGINE_SUSPECT_QUIET_US, and nothing else starts
	 * during its own first ENGINE_SUSPECT_QUIET_US. */
	int64_t isolated;          /* the last suspect handed out (activity id), 0: none */
	int64_t quiet_until_us;    /* rt_mono_us(): nothing starts before, 0: none */
	int64_t last_start_us;     /* rt_mono_us() of the latest attempt started */
	int suspect_waiting;       /* a suspect waits for the others to age */
	int cmds_waiting;          /* commands queued (written under lock, read without) */
	int scan_skipped;          /* the last batch left the ready scan (engine thread) */
	int64_t last_scan_mono_us; /* rt_mono_us() of the last ready scan (engine thread) */
	int64_t pick_ns_per_row;   /* the last dequeue's cost a row (engine thread) */
	int outcomes_put_back;     /* the last batch left its replays' outcomes (engine thread) */
	int stopping;
	int64_t stop_deadline_us;  /* rt_mono_us(); past it, what is left is abandoned */
	/* Failing commits (a full disk): back-off and what health reports. */
	int fail_streak;
	int64_t retry_at_us;       /* rt_mono_us() */
	int64_t failing_since_us;  /* rt_now_us() of the first failure, 0: healthy */
	uint64_t failed_batches;   /* since the last success */
	uint64_t unreported;       /* failures since the last console line */
	int64_t last_report_us;
	char last_error[256];
	struct rt_engine_stats stats;

	/* WAL checkpoints run on their own thread and handle, so a commit
	 * never waits for the WAL to be copied back into the database. */
	pthread_t ckpt_thread;
	pthread_cond_t ckpt_cond;
	int ckpt_requested;
	int commits_since_ckpt;
	/* sync_acks (engine_sync.c): rt_mono_us() of the oldest commit not
	 * yet fsynced, 0 when everything committed is durable. */
	int64_t unsynced_since_us;
	/* sync_acks: commits so far, and how many of them an fsync covers
	 * (atomics; engine_sync.c). */
	uint64_t commit_seq, synced_seq;
	int64_t last_ckpt_us;      /* rt_mono_us() of the last checkpoint request */

	pthread_mutex_t readers_lock;
	struct rt_store **readers;
	size_t nreaders, capreaders;

	struct engine_waits *waits; /* rt_engine_wait_* (engine_wait.c) */

	/* The replay thread (engine_offload.c). Queues under `lock`; the list
	 * of instances whose replay is out (or that rest) is the engine
	 * thread's alone. */
	pthread_t replay_thread;
	int replay_thread_up;
	pthread_cond_t replay_cond;
	struct engine_replay_job *replay_queue, *replay_queue_tail;
	struct engine_replay_job *replay_done, *replay_done_tail;
	struct engine_replay_job *offloaded;
};

/* A message deliverable now, kept in memory within its batch: the episode
 * that consumes it in the same transaction saves an inbox insert and
 * delete. Whatever is left at the end of the batch goes to the inbox
 * before the commit, so durability is unchanged. */
struct engine_mail {
	struct engine_mail *next;
	const char *execution_id; /* NULL: current execution */
	int type;
	const void *data;         /* encoded event, in the batch arena */
	size_t len;
	/* The same message already decoded by whoever sent it (an entity
	 * request from a client: struct rt_entity_msg), so the receiver need
	 * not decode it again; NULL: decode data. In the batch arena. */
	const void *decoded;
};

struct engine_mailbox {
	const char *instance_id;  /* NULL: free slot */
	struct engine_mail *head, *tail;
	int stored;               /* on the store's ready list this batch */
};

/* The state of one batch (engine thread only). */
struct engine_batch {
	struct rt_engine *e;
	struct rt_arena arena;
	int64_t now_us;
	int failed;              /* roll the whole batch back */
	int more;                /* something became ready during the batch */
	struct engine_cmd *cmds;
	size_t ncmds;
	struct engine_run *results;
	struct engine_replay_job *replays; /* returned from the replay thread */
	struct engine_run *dequeued, *dequeued_tail; /* in hand-out order */
	size_t ndequeued;
	unsigned char *enc;      /* encode buffer */
	size_t enc_len, enc_cap;
	/* in-batch delivery (open addressing on instance id) */
	int mail_on;
	struct engine_mailbox *boxes;
	size_t nboxes, capboxes;
	const char **mail_order; /* instances in the order they first got mail */
	size_t nmail_order, capmail_order;
	size_t episodes;         /* run in this batch */
	int64_t start_mono_us;   /* when the batch began (engine_batch_over_budget) */
	int64_t work_mono_us;    /* when its commands were applied (engine_batch_long) */
	int ready_complete;      /* the store's ready list was not cut short */
	size_t act_free;         /* activities this batch may still hand out */
	int act_backlog;         /* visible activities may be left undispatched */
	int suspect_may_start;   /* nothing started recently runs or waits to run */
	size_t nresults;         /* results applied in this batch */
	/* Instances left terminal by this batch's episodes, for the waits
	 * (engine_wait.c); rows shallow-copied, strings in `arena`. */
	struct rt_instance *finished;
	size_t nfinished, capfinished;
	/* engine_episode and engine_episode_outcome, set by engine.c: the
	 * offload (engine_offload.c) runs episodes and commits replays' outcomes
	 * from below engine_episode.c, which launches its replays. */
	void (*run_episode)(struct engine_batch *b, const char *instance_id);
	int (*episode_outcome)(struct engine_batch *b, struct rt_instance *inst,
			       const struct rt_episode_out *out, int rc, int64_t replay_us,
			       struct engine_episode_log *lg);
	/* Episodes whose replays wait to go to the replay_batch hook together
	 * (engine_episode.c), in the order they were prepared. */
	struct engine_pending_episode *pending, *pending_tail;
	size_t npending;
	/* Entity batches that wait to go to the run_entity_batches hook
	 * together (engine_entity.c), in the order they were prepared. */
	struct engine_entity_job *entity_jobs, *entity_jobs_tail;
	size_t nentity_jobs;
	int pieces_written;      /* it wrote part of a replay's outcome (engine_offload.c) */
};

/* engine_not_now.c. The visible time for work that cannot run now: from
 * RT_ENGINE_NOT_NOW_US, doubling while work keeps waiting, at most
 * ENGINE_NOT_NOW_MAX_US; remembered for engine_not_now_resume. */
int64_t engine_not_now_until(struct engine_batch *b);
/* The latest visible time waiting work may have (for loads that must see
 * it, such as a terminate of an instance that never ran). */
int64_t engine_not_now_horizon(struct engine_batch *b);
/* When rt_engine_retry_waiting asked: the waiting rows become visible now
 * and the wait starts again from RT_ENGINE_NOT_NOW_US. 0 or -1 (store). */
int engine_not_now_resume(struct engine_batch *b);
/* 1 when visible_us is one engine_not_now_until gave (a held-back row). */
int engine_not_now_held(struct engine_batch *b, int64_t visible_us);
/* 1 when a resume is asked for (the engine thread runs a batch for it). */
int engine_not_now_wanted(struct rt_engine *e);

/* The instance is on the store's ready list of this batch. */
void engine_mail_mark_stored(struct engine_batch *b, const char *instance_id);
/* Stores one message of mail in the inbox, visible from visible_us (0:
 * now); *id (may be NULL) gets its row id. */
int engine_mail_store(struct engine_batch *b, const char *instance_id, const struct engine_mail *m,
		      int64_t visible_us, int64_t *id);
/* 1 if the instance may have visible messages in the inbox table. */
int engine_may_have_stored(struct engine_batch *b, const char *instance_id);
/* The in-batch mailbox of an instance (created when `create`; NULL when
 * there is none). */
struct engine_mailbox *engine_mailbox_find(struct engine_batch *b, const char *instance_id,
					   int create);
/* Takes the in-batch messages of an instance (NULL when none). */
struct engine_mail *engine_mail_take(struct engine_batch *b, const char *instance_id);
/* An activity just created by an episode: queue it as already dequeued and
 * hand it to a thread after the commit, if this batch has room. */
int engine_dispatch_new_activity(struct engine_batch *b, struct rt_activity *act);

/* ---- waits for terminal commits (engine_wait.c) -------------------------- */

/* Starts the answer thread that fires waits (engine_wait_notify). */
struct engine_waits *engine_waits_new(struct rt_engine *e);
/* After the engine thread has left: answers what is queued, then joins the
 * answer thread. engine_waits_free does it too, if not done. */
void engine_waits_stop(struct engine_waits *w);
void engine_waits_free(struct engine_waits *w);
/* An episode left `inst` terminal (its row is written in this batch). */
void engine_wait_note(struct engine_batch *b, const struct rt_instance *inst);
/* After the batch committed: queues copies of the noted rows that have a
 * wait for the answer thread, which fires the waits on them once the WAL
 * is fsynced under sync_acks (the answer acknowledges the outcome), or
 * does that itself for a lone client (no other wait, nothing queued for
 * the next batch); if that
 * fsync fails the waits stay and end with their timeouts' 202. Forgets
 * the notes. Engine thread, e->lock not held. */
void engine_wait_notify(struct rt_engine *e, struct engine_batch *b);

/* ---- one episode, in parts (engine_episode.c) ------------------------------ */

/* What the console shows of an episode, from its start to its end. */
struct engine_episode_log {
	struct rt_invocation inv;
};
/* Writes a replay's outcome (rc as engine_episode_replay's) for `inst`,
 * read in this batch, under the savepoint the caller opened: 0 when done
 * (savepoint released, or rolled back with b->failed set), 1 when nothing
 * of it may be committed and the caller rolls back and keeps the messages. */
int engine_episode_outcome(struct engine_batch *b, struct rt_instance *inst,
			   const struct rt_episode_out *out, int rc, int64_t replay_us,
			   struct engine_episode_log *lg);

/* ---- replays off the engine thread (engine_offload.c) ---------------------- */

/* A result sent to a busy instance is parked: stored visible this much
 * later, so the scan for ready instances does not walk it while the
 * instance cannot take it. Its next episode takes it early (a result is
 * never held back for correctness); after a crash it shows up by then. */
#define ENGINE_OFFLOAD_PARK_US 2000000
/* Messages one replay off the engine thread consumes at most. */
#define ENGINE_OFFLOAD_MAX_MSGS 4096
/* 1 while the instance's replay is out or it rests: no episode for it. */
int engine_offload_busy(struct rt_engine *e, const char *instance_id);
int engine_offload_busy_cb(void *ctx, const char *instance_id); /* ctx: the engine */
/* A message of `type` went to the inbox for the busy instance: anything
 * but a result ends (or forbids) its rest. */
void engine_offload_note_mail(struct rt_engine *e, const char *instance_id, int type);
/* rt_mono_us() when the first rest ends (0: none), for the engine's sleep. */
int64_t engine_offload_wake_mono_us(struct rt_engine *e);
/* Whether this instance's replay should leave the engine thread. */
int engine_offload_wanted(struct engine_batch *b, const struct rt_instance *inst);
/* Hands the episode to the replay thread: in (ids: the stored messages it
 * consumes; mail: this batch's, written to the inbox here). 0 when it is
 * out (or the batch failed), -1 when it could not be: run it inline. */
int engine_offload_launch(struct engine_batch *b, const struct rt_instance *inst,
			  const struct rt_episode_in *in, const int64_t *ids, size_t nids,
			  struct engine_mail *mail);
/* Commits (or drops) the outcomes in b->replays; in the batch. */
void engine_offload_apply(struct engine_batch *b);
/* Puts b->replays back, first in line for the next batch (they stay out
 * meanwhile: their instances' messages wait too). 1 if there were any. */
int engine_offload_put_back(struct engine_batch *b);
/* After the batch (and its waits): frees b->replays; after a failed batch,
 * drops the replays it launched. */
void engine_offload_after_batch(struct rt_engine *e, struct engine_batch *b);
void *engine_replay_main(void *arg); /* arg: the engine */
/* At the end, once the replay thread is joined. */
void engine_offload_free_all(struct rt_engine *e);

void engine_apply_cmd(struct engine_batch *b, struct engine_cmd *c);
void engine_rewind(struct engine_batch *b, struct engine_cmd *c, const struct rt_instance *inst);
void engine_episode(struct engine_batch *b, const char *instance_id);
/* With a replay_batch hook, engine_episode only prepares the episodes that
 * replay; this runs every prepared one in one hook call and writes each
 * outcome as soon as the hook reports it final. Call it before anything
 * that could pick the same instances again (the ready scan, the next round
 * of mail) and before the batch ends; with nothing prepared it does
 * nothing. Prepared episodes count in b->episodes but cost no time until
 * then, so engine_batch_over_budget sees their replays only afterwards. */
void engine_episode_flush(struct engine_batch *b);
void engine_run_free(struct engine_run *run);
/* engine_activity.c: the in-flight id set (ids are never 0), */
void engine_idset_add(struct id_set *s, int64_t id);
int engine_idset_has(const struct id_set *s, int64_t id);
void engine_idset_del(struct id_set *s, int64_t id);
/* the activity threads: start them (nthreads, after e->attempts), hand
 * them n runs just queued on e->runs (lock held), and stop them by an
 * rt_mono_us() deadline, returning how many are still in app code; */
void engine_activity_start(struct rt_engine *e);
void engine_activity_wake(struct rt_engine *e, size_t n);
int engine_activity_stop_by(struct rt_engine *e, int64_t until_us);
/* and the batch's activity steps: apply one result (row out, completion
 * in, one transaction), take visible rows for the free capacity (a suspect
 * runs alone), count the attempts a dead process left unfinished. */
void engine_activity_apply(struct engine_batch *b, struct engine_run *run);
void engine_activity_dequeue(struct engine_batch *b);
void engine_activity_count_left(struct engine_batch *b);
int engine_inbox_add(struct engine_batch *b, const char *instance_id, const char *execution_id,
		     int64_t visible_us, const struct rt_event *ev);
/* engine_inbox_add, with the message's decoded form for the receiver when
 * it stays in this batch's mail (engine_mail.decoded). */
int engine_inbox_add_decoded(struct engine_batch *b, const char *instance_id,
			     const char *execution_id, int64_t visible_us,
			     const struct rt_event *ev, const void *decoded);

/* engine_entity.c: entity batches and messages (see entity.h). */
void engine_entity_batch(struct engine_batch *b, const char *instance_id);
/* The entity batches engine_entity_batch left for the run_entity_batches
 * hook: run together, each written as soon as it is done. */
void engine_entity_flush(struct engine_batch *b);
int engine_entity_deliver(struct engine_batch *b, const char *target, const char *event,
			  const char *data, int64_t visible_us);
void engine_entity_apply_signal(struct engine_batch *b, struct engine_cmd *c);
void engine_entity_apply_clean(struct engine_batch *b, struct engine_cmd *c);

/* Under sync_acks, the longest a commit waits to be fsynced. */
#define ENGINE_SYNC_WINDOW_US 50000

/* engine_sync.c: with opts.sync_acks, what makes commits durable. After a
 * committed batch (engine thread, lock not held): fsyncs at once when the
 * batch holds commands to acknowledge, else leaves it to the checkpoint
 * thread within ENGINE_SYNC_WINDOW_US. A start with a wait is not
 * acknowledged before its wait ends: it only notes its commit in the wait
 * (ack_seq) for rt_engine_wait_ack_durable. */
void engine_sync_after_commit(struct engine_batch *b);
/* Before committed outcomes answer a client (a wait on an instance they
 * finished): fsyncs the WAL file unless every commit so far already is
 * (sync_acks; any thread: it opens the file itself and never touches the
 * engine's store handle). 0 when they are durable, -1 if the fsync
 * failed: then nothing may claim they are. */
int engine_sync_for_answer(struct rt_engine *e);
/* The checkpoint thread's wait (lock held): returns when a checkpoint is
 * requested or the engine stops, fsyncing the WAL on `cs` whenever a
 * commit has been waiting ENGINE_SYNC_WINDOW_US for it. */
void engine_sync_wait(struct rt_engine *e, struct rt_store *cs);

#endif
