/*
 * engine_core.h - what every part of the engine calls and that calls none
 * of them (engine_core.c). Engine thread unless said otherwise; strings
 * and events land in the arena passed in (or the batch's).
 */
#ifndef RT_ENGINE_CORE_H
#define RT_ENGINE_CORE_H

#include "runtime/engine_int.h"

/* A console line through the host's log hook, if that level shows. */
void engine_log(struct rt_engine *e, const char *category, int level, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* ev as history row `seq`, its encoding in the batch arena. Returns 0. */
int engine_encode_row(struct engine_batch *b, const struct rt_event *ev, int seq,
		      struct rt_history_row *row);

/* ---- an episode's first lines and its replay ---------------------------------- */

/* The first-episode trace line and the host's Executing line (engine
 * thread; lg's strings borrow in->name, which must outlive the episode). */
void engine_episode_begin(struct engine_batch *b, const struct rt_episode_in *in,
			  struct engine_episode_log *lg);
/* The replay itself, in process or through the replay hook: any thread. */
int engine_episode_replay(const struct rt_engine_hooks *h, const struct rt_episode_in *in,
			  struct rt_episode_out *out);
/* History rows decoded into `a`, marked played; NULL if one does not decode. */
struct rt_event *engine_decode_rows(const struct rt_history_row *rows, size_t n,
				    struct rt_arena *a);

/* Only activity and sub-orchestration results: what may be parked or paced
 * (events, timers, terminate and the rest are never delayed). */
int engine_is_result(int type);

/* ---- the batch's clock ---------------------------------------------------------- */

/* 1 once the batch has run episodes for ENGINE_BATCH_BUDGET_US: start no
 * more, commit, and let the next batch take the rest, so a batch with a
 * heavy episode does not also hold back everyone else's commits. */
int engine_batch_over_budget(const struct engine_batch *b);
/* 1 if a few commands (ENGINE_HURRY_MAX_CMDS) are in the batch or wait
 * for it; engine_batch_hurried: and it ran ENGINE_HURRY_US. */
int engine_batch_awaited(const struct engine_batch *b);
int engine_batch_hurried(const struct engine_batch *b);
/* 1 once the batch has applied results for ENGINE_BATCH_SHORT_US since
 * its commands: leave the rest to the next. */
int engine_batch_long(const struct engine_batch *b);

#endif
