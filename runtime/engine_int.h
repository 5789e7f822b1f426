/*
 * engine_int.h - what engine.c, engine_cmd.c and engine_episode.c share.
 * Not for use outside runtime/engine*.c.
 */
#ifndef RT_ENGINE_INT_H
#define RT_ENGINE_INT_H

#include <pthread.h>

#include "engine.h"

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
	int done;
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
	/* result */
	int failed;
	char *result; /* JSON, or the failure message */
};

struct rt_engine {
	struct rt_engine_opts opts;
	struct rt_store *store; /* engine thread only */
	pthread_t thread;
	pthread_t *threads;
	int nthreads;

	pthread_mutex_t lock;
	pthread_cond_t cond;      /* wakes the engine thread */
	pthread_cond_t done_cond; /* commands done */
	pthread_cond_t runs_cond; /* wakes activity threads */
	struct engine_cmd *cmds, *cmds_tail;
	struct engine_run *results, *results_tail;
	struct engine_run *runs, *runs_tail;
	struct id_set inflight;
	int idle_activity_threads;
	int stopping;
	struct rt_engine_stats stats;

	pthread_mutex_t readers_lock;
	struct rt_store **readers;
	size_t nreaders, capreaders;
};

/* The state of one batch (engine thread only). */
struct engine_batch {
	struct rt_engine *e;
	struct rt_arena arena;
	int64_t now_us;
	int failed;              /* roll the whole batch back */
	int more;                /* something became ready during the batch */
	struct engine_cmd *cmds;
	struct engine_run *results;
	struct engine_run *dequeued;
	unsigned char *enc;      /* encode buffer */
	size_t enc_len, enc_cap;
};

void engine_apply_cmd(struct engine_batch *b, struct engine_cmd *c);
void engine_rewind(struct engine_batch *b, struct engine_cmd *c, const struct rt_instance *inst);
void engine_episode(struct engine_batch *b, const char *instance_id);
void engine_run_free(struct engine_run *run);
void engine_log(struct rt_engine *e, const char *category, int level, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void engine_guid(char out[37]);
int engine_encode_row(struct engine_batch *b, const struct rt_event *ev, int seq,
		      struct rt_history_row *row);
int engine_inbox_add(struct engine_batch *b, const char *instance_id, const char *execution_id,
		     int64_t visible_us, const struct rt_event *ev);
/* Creates (or overwrites) an instance row and queues its ExecutionStarted. */
int engine_create_instance(struct engine_batch *b, const char *instance_id, const char *name,
			   const char *input, const struct rt_event *parent_start, char **err);

#endif
