/*
 * engine_core.c - what the parts of the engine share and that calls none
 * of them (engine_core.h): console lines (engine_log, an episode's first
 * lines), history rows encoded and decoded, the batch's time checks, the
 * instance id check and the history read. Every other engine_*.c file
 * may call it; it calls only the store, the codec, the replay, the trace
 * reports and the hooks.
 */
#include "runtime/engine_core.h"
#include "runtime/durable_report.h"
#include "common/clock.h"
#include "common/utf8.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- console lines ---------------------------------------------------------- */

void engine_log(struct rt_engine *e, const char *category, int level, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	if (!e->opts.hooks.log ||
	    (e->opts.hooks.log_enabled && !e->opts.hooks.log_enabled(e->opts.hooks.ctx, category, level)))
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	e->opts.hooks.log(e->opts.hooks.ctx, category, level, "%s", buf);
}

/* The input ExecutionStarted brings to a first episode, for its trace line. */
static const char *started_input(const struct rt_event *msgs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (msgs[i].type == RT_EV_EXECUTION_STARTED)
			return msgs[i].input;
	return NULL;
}

/* The episode's start for the extension's line and the host's Executing
 * line: on the engine thread, wherever the replay runs. */
void engine_episode_begin(struct engine_batch *b, const struct rt_episode_in *in,
			  struct engine_episode_log *lg)
{
	const struct rt_engine_hooks *h = &b->e->opts.hooks;

	memset(&lg->inv, 0, sizeof(lg->inv)); /* func's reason for durable triggers: (null) */
	lg->inv.function = in->name;
	if (h->durable_report) {
		struct rt_durable_report r = {.fn = RT_DURABLE_ORCHESTRATOR,
					      .outcome = RT_DURABLE_STARTED,
					      .instance_id = in->instance_id,
					      .name = in->name,
					      .is_replay = in->n_past > 0,
					      .input = started_input(in->msgs, in->n_msgs),
					      .task_event_id = -1};
		h->durable_report(h->ctx, &r);
	}
	if (h->invocation)
		h->invocation(&lg->inv, RT_INVOCATION_START);
}

/* ---- history rows and replays -------------------------------------------- */

int engine_encode_row(struct engine_batch *b, const struct rt_event *ev, int seq,
		      struct rt_history_row *row)
{
	b->enc_len = 0;
	rt_history_encode(ev, &b->enc, &b->enc_len, &b->enc_cap);
	row->seq = seq;
	row->type = (int)ev->type;
	row->timestamp_us = ev->timestamp_us;
	row->data = rt_arena_strndup(&b->arena, (const char *)b->enc, b->enc_len);
	row->len = b->enc_len;
	return 0;
}

struct rt_event *engine_decode_rows(const struct rt_history_row *rows, size_t n,
				    struct rt_arena *a)
{
	struct rt_event *dec = rt_arena_calloc(a, (n + 1) * sizeof(*dec));
	for (size_t i = 0; i < n; i++) {
		if (rt_history_decode(rows[i].data, rows[i].len, &dec[i], a) != 0)
			return NULL;
		dec[i].is_played = 1;
	}
	return dec;
}

int engine_episode_replay(const struct rt_engine_hooks *h, const struct rt_episode_in *in,
			  struct rt_episode_out *out)
{
	return h->replay && in->fn ? h->replay(h->ctx, in->fn, in, out) : rt_replay_run(in, out);
}

/* Only activity and sub-orchestration results: what pacing may hold back
 * (events, timers, terminate and the rest are never delayed). */
int engine_is_result(int type)
{
	return type == RT_EV_TASK_COMPLETED || type == RT_EV_TASK_FAILED ||
	       type == RT_EV_SUB_ORCH_COMPLETED || type == RT_EV_SUB_ORCH_FAILED;
}

/* ---- the batch's clock -------------------------------------------------------- */

int engine_batch_awaited(const struct engine_batch *b)
{
	size_t n = b->ncmds + (size_t)__atomic_load_n(&b->e->cmds_waiting, __ATOMIC_RELAXED);
	return n > 0 && n <= ENGINE_HURRY_MAX_CMDS;
}

int engine_batch_hurried(const struct engine_batch *b)
{
	return engine_batch_awaited(b) && rt_mono_us() - b->start_mono_us > ENGINE_HURRY_US;
}

int engine_batch_long(const struct engine_batch *b)
{
	return rt_mono_us() - b->work_mono_us > ENGINE_BATCH_SHORT_US;
}

int engine_batch_over_budget(const struct engine_batch *b)
{
	return b->episodes > 0 && rt_mono_us() - b->start_mono_us > ENGINE_BATCH_BUDGET_US;
}

/* ---- checks and reads ------------------------------------------------------- */

const char *rt_instance_id_problem(const char *id)
{
	size_t units = 0; /* UTF-16 code units, as .NET counts string length */
	size_t n;
	if (!id || !*id)
		return "instance id is empty";
	if (id[0] == '@')
		return "instance id must not start with '@' (reserved for entities)";
	for (const unsigned char *p = (const unsigned char *)id; *p; p += n) {
		if (*p < 0x20 || *p == 0x7f)
			return "instance id must not contain control characters";
		if (*p == '/' || *p == '\\' || *p == '#' || *p == '?')
			return "instance id must not contain '/', '\\', '#' or '?'";
		if ((n = rt_utf8_seq(p, SIZE_MAX)) == 0)
			return "instance id is not valid UTF-8";
		units += n == 4 ? 2 : 1;
	}
	if (units > 256)
		return "instance id is longer than 256 characters";
	return NULL;
}

int rt_engine_history(struct rt_store *s, const char *instance_id, const char *execution_id,
		      struct rt_event **events, size_t *n, struct rt_arena *a)
{
	struct rt_history_row *rows;
	size_t nrows;
	int rc = rt_store_history_load(s, instance_id, execution_id, &rows, &nrows, a);
	if (rc != 0)
		return rc;
	*events = rt_arena_calloc(a, (nrows + 1) * sizeof(**events));
	for (size_t i = 0; i < nrows; i++) {
		if (rt_history_decode(rows[i].data, rows[i].len, &(*events)[i], a) != 0)
			return RT_ERROR;
		(*events)[i].is_played = 1;
	}
	*n = nrows;
	return 0;
}
