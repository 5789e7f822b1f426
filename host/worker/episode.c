/*
 * episode.c - orchestrator episodes across the process boundary: the
 * runtime's struct rt_episode_in/out to and from ORCH_REQUEST/ORCH_RESULT
 * (common/wire.h), and the worker's side that replays with the app's code.
 *
 * History events travel in the task hub's own codec (rt_history_encode).
 * A worker keeps the pasts it was sent (history_cache.c), so a request may
 * carry only the events after those it holds (wire.h, RT_WT_PAST_HELD).
 * An action is a run of fields (no frame header) with the tags below; the
 * host decodes it with the same bounds checks as any frame.
 */
#include "host/worker/episode.h"

#include "bindings/orch_trigger.h"
#include "common/xalloc.h"
#include "runtime/history.h"

#include <stdlib.h>
#include <string.h>

enum {
	AT_KIND = 1, /* u32 enum rt_action_kind */
	AT_SEQ = 2,  /* i64 */
	AT_ATTEMPT = 3,
	AT_NAME = 4,
	AT_INSTANCE = 5,
	AT_EXECUTION = 6,
	AT_INPUT = 7,
	AT_FIRE_AT = 8,
	AT_MSG = 9,     /* history-codec event */
	AT_CARRIED = 10, /* list: history-codec events */
};

static struct rt_wire_bytes encode_event(const struct rt_event *ev, struct rt_arena *a)
{
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;
	rt_history_encode(ev, &buf, &len, &cap);
	char *copy = rt_arena_alloc(a, len + 1);
	memcpy(copy, buf, len);
	free(buf);
	return (struct rt_wire_bytes){copy, len};
}

struct rt_wire_bytes host_episode_action_encode(const struct rt_action *act, struct rt_arena *a)
{
	struct rt_wire_buf b;
	rt_wire_buf_init(&b);
	rt_wire_put_u32(&b, AT_KIND, (uint32_t)act->kind);
	rt_wire_put_i64(&b, AT_SEQ, act->seq);
	rt_wire_put_i64(&b, AT_ATTEMPT, act->attempt);
	rt_wire_put_str(&b, AT_NAME, act->name);
	rt_wire_put_str(&b, AT_INSTANCE, act->instance_id);
	rt_wire_put_str(&b, AT_EXECUTION, act->execution_id);
	rt_wire_put_str(&b, AT_INPUT, act->input);
	rt_wire_put_i64(&b, AT_FIRE_AT, act->fire_at_us);
	struct rt_wire_bytes m = encode_event(&act->msg, a);
	rt_wire_put_bytes(&b, AT_MSG, m.data, m.len);
	for (size_t i = 0; i < act->n_carried; i++) {
		struct rt_wire_bytes c = encode_event(&act->carried[i], a);
		rt_wire_put_bytes(&b, AT_CARRIED, c.data, c.len);
	}
	char *copy = rt_arena_alloc(a, b.len + 1);
	memcpy(copy, b.data, b.len);
	struct rt_wire_bytes out = {copy, b.len};
	rt_wire_buf_cleanup(&b);
	return out;
}

int host_episode_action_decode(const struct rt_wire_bytes *in, struct rt_action *act,
			       struct rt_arena *a)
{
	struct rt_wire_iter it;
	struct rt_wire_field f;
	size_t ncarried = 0;
	int rc, have_msg = 0;
	uint32_t kind = UINT32_MAX;
	int64_t v;

	memset(act, 0, sizeof(*act));
	rt_wire_iter_init(&it, in->data, in->len);
	while ((rc = rt_wire_iter_next(&it, &f)) == 1)
		if (f.tag == AT_CARRIED && ++ncarried > RT_WIRE_MAX_LIST)
			return -1;
	if (rc < 0)
		return -1;
	struct rt_event *carried = rt_arena_calloc(a, (ncarried ? ncarried : 1) * sizeof(*carried));
	rt_wire_iter_init(&it, in->data, in->len);
	while ((rc = rt_wire_iter_next(&it, &f)) == 1) {
		switch (f.tag) {
		case AT_KIND:
			if (rt_wire_get_u32(&f, &kind) || kind > RT_ACT_CONTINUE_AS_NEW)
				return -1;
			break;
		case AT_SEQ:
		case AT_ATTEMPT:
			if (rt_wire_get_i64(&f, &v) || v < -1 || v > INT32_MAX)
				return -1;
			*(f.tag == AT_SEQ ? &act->seq : &act->attempt) = (int)v;
			break;
		case AT_FIRE_AT:
			if (rt_wire_get_i64(&f, &act->fire_at_us))
				return -1;
			break;
		case AT_NAME:
			if (rt_wire_get_str(&f, a, &act->name))
				return -1;
			break;
		case AT_INSTANCE:
			if (rt_wire_get_str(&f, a, &act->instance_id))
				return -1;
			break;
		case AT_EXECUTION:
			if (rt_wire_get_str(&f, a, &act->execution_id))
				return -1;
			break;
		case AT_INPUT:
			if (rt_wire_get_str(&f, a, &act->input))
				return -1;
			break;
		case AT_MSG:
			if (rt_history_decode(f.data, f.len, &act->msg, a) != 0)
				return -1;
			have_msg = 1;
			break;
		case AT_CARRIED:
			if (rt_history_decode(f.data, f.len, &carried[act->n_carried], a) != 0)
				return -1;
			act->n_carried++;
			break;
		}
	}
	if (rc < 0 || kind == UINT32_MAX || !have_msg)
		return -1;
	act->kind = (enum rt_action_kind)kind;
	act->carried = act->n_carried ? carried : NULL;
	return 0;
}

int host_episode_request(struct rt_wire_buf *b, uint64_t id, const struct rt_episode_in *in,
			 size_t held)
{
	struct rt_arena *a = in->arena;
	if (held > in->n_past || held > UINT32_MAX || !in->execution_id)
		held = 0;
	size_t n = in->n_past - held;
	struct rt_wire_bytes *past = rt_arena_alloc(a, (n + 1) * sizeof(*past));
	struct rt_wire_bytes *fresh = rt_arena_alloc(a, (in->n_msgs + 1) * sizeof(*fresh));
	for (size_t i = 0; i < n; i++)
		past[i] = encode_event(&in->past[held + i], a);
	for (size_t i = 0; i < in->n_msgs; i++)
		fresh[i] = encode_event(&in->msgs[i], a);
	struct rt_wire_orch_request m = {
		.name = in->name, .instance = in->instance_id, .execution = in->execution_id,
		.past = past, .npast = n, .fresh = fresh, .nfresh = in->n_msgs,
		.now_us = in->now_us, .max_actions = (uint32_t)(in->max_actions > 0 ? in->max_actions : 0),
		.custom_status = in->custom_status, .past_held = (uint32_t)held,
	};
	if (held)
		m.past_tail = encode_event(&in->past[held - 1], a);
	return rt_wire_orch_request_encode(b, id, &m);
}

int host_episode_may_rewrite(const struct rt_episode_in *in)
{
	for (size_t i = 0; i < in->n_msgs; i++)
		if (in->msgs[i].type == RT_EV_GENERIC)
			return 1;
	return 0;
}

int host_episode_result(const struct rt_wire_orch_result *m, struct rt_episode_out *out,
			struct rt_arena *a, const char **err)
{
	memset(out, 0, sizeof(*out));
	out->new_events = rt_arena_calloc(a, (m->nevents + 1) * sizeof(*out->new_events));
	out->actions = rt_arena_calloc(a, (m->nactions + 1) * sizeof(*out->actions));
	for (size_t i = 0; i < m->nevents; i++)
		if (rt_history_decode(m->events[i].data, m->events[i].len, &out->new_events[i], a) != 0) {
			*err = "a new history event that does not decode";
			return -1;
		}
	for (size_t i = 0; i < m->nactions; i++)
		if (host_episode_action_decode(&m->actions[i], &out->actions[i], a) != 0) {
			*err = "an action that does not decode";
			return -1;
		}
	out->n_new_events = m->nevents;
	out->n_actions = m->nactions;
	out->status = (enum rt_status)m->status;
	out->output = m->output;
	out->custom_status_set = (int)m->custom_set;
	out->custom_status = m->custom_status;
	out->changed = (int)m->changed;
	out->error = m->error;
	return 0;
}

/* ---- the worker's side ----------------------------------------------------- */

static const struct bind_registry *serving_reg;

static int worker_is_activity(void *ctx, const char *name)
{
	(void)ctx;
	return bind_registry_find_kind(serving_reg, name, BIND_FN_ACTIVITY) != NULL;
}

static int worker_is_orchestrator(void *ctx, const char *name)
{
	(void)ctx;
	return bind_registry_find_kind(serving_reg, name, BIND_FN_ORCHESTRATOR) != NULL;
}

/* Whether the instance goes on after an episode that left it so: only
 * then is its past worth keeping. */
static int goes_on(enum rt_status st)
{
	return st == RT_ST_RUNNING || st == RT_ST_SUSPENDED;
}

void host_episode_serve(struct rt_wire_buf *b, const struct bind_registry *reg, uint64_t id,
			const struct rt_wire_orch_request *m, struct rt_arena *a,
			struct history_cache *cache, int64_t now_mono_us)
{
	struct rt_wire_orch_result r = {0};
	struct bind_function *fn = bind_registry_find_kind(reg, m->name, BIND_FN_ORCHESTRATOR);
	struct rt_event *msgs = rt_arena_calloc(a, (m->nfresh + 1) * sizeof(*msgs));
	const struct rt_event *past = NULL;
	size_t npast = 0;
	int held = 0;
	int got = history_cache_past(cache, m, now_mono_us, a, &past, &npast, &held, &r.error);
	if (got == 1) {
		/* Not held (evicted, or another process): no guess, the host
		 * sends it whole. */
		struct rt_wire_orch_result again = {.resend = 1};
		rt_wire_orch_result_encode(b, id, &again);
		return;
	}
	for (size_t i = 0; i < m->nfresh; i++)
		if (rt_history_decode(m->fresh[i].data, m->fresh[i].len, &msgs[i], a) != 0)
			r.error = "a new event does not decode";
	if (!fn)
		r.error = "the orchestrator is not registered in this worker";
	if (r.error) {
		history_cache_drop(cache, m->instance);
		rt_wire_orch_result_encode(b, id, &r);
		return;
	}
	serving_reg = reg;
	struct rt_episode_in in = {
		.instance_id = m->instance, .execution_id = m->execution, .name = m->name,
		.past = past, .n_past = npast, .msgs = msgs, .n_msgs = m->nfresh,
		.now_us = m->now_us, .run = bind_orch_run, .fn = fn,
		.is_activity = worker_is_activity, .is_orchestrator = worker_is_orchestrator,
		.max_actions = (int)m->max_actions, .custom_status = m->custom_status, .arena = a,
	};
	struct rt_episode_out out;
	if (rt_replay_run(&in, &out) != 0) {
		r.error = out.error ? out.error : "cannot replay";
		rt_wire_orch_result_encode(b, id, &r);
		history_cache_drop(cache, m->instance); /* after: the error may point into it */
		return;
	}
	/* A finished instance's past is dropped, but only once the result is
	 * encoded: its events and actions (continue-as-new's carried events)
	 * may point into the kept past. */
	int drop = held && !goes_on(out.status);
	if (drop)
		held = 0;
	r.held = (uint32_t)held;
	r.status = (uint32_t)out.status;
	r.output = out.output;
	r.custom_set = (uint32_t)(out.custom_status_set != 0);
	r.custom_status = out.custom_status;
	r.changed = (uint32_t)(out.changed != 0);
	r.events = rt_arena_alloc(a, (out.n_new_events + 1) * sizeof(*r.events));
	r.actions = rt_arena_alloc(a, (out.n_actions + 1) * sizeof(*r.actions));
	for (size_t i = 0; i < out.n_new_events; i++)
		r.events[i] = encode_event(&out.new_events[i], a);
	for (size_t i = 0; i < out.n_actions; i++)
		r.actions[i] = host_episode_action_encode(&out.actions[i], a);
	r.nevents = out.n_new_events;
	r.nactions = out.n_actions;
	if (rt_wire_orch_result_encode(b, id, &r) != 0) {
		struct rt_wire_orch_result big = {
			.error = rt_arena_fmt(a, "the episode's result (%zu new events, %zu actions) is "
						 "over the %u MiB frame limit of a worker's reply",
					      out.n_new_events, out.n_actions, RT_WIRE_MAX_FRAME >> 20)};
		drop = 1;
		rt_wire_orch_result_encode(b, id, &big);
	}
	if (drop)
		history_cache_drop(cache, m->instance);
}
