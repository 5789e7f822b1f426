/*
 * fuzz/wire.c - libFuzzer target for the host <-> worker protocol decoder
 * (common/wire.h): the input is a byte stream as a worker could write it.
 *
 * Every complete frame is decoded as its type says. Invariants:
 *  - the frame splitter never claims more bytes than it was given, and a
 *    refused header stops the stream (no resynchronisation);
 *  - a decoder reads only the frame (ASan sees any overread of the input);
 *  - an orchestrator result that decodes goes through the host's episode
 *    conversion (history events and actions from a worker) without a crash;
 *  - an HTTP response that decodes encodes again to a frame that decodes to
 *    the same status, headers and body (what the host answers is what the
 *    worker said);
 *  - an entity batch result that decodes encodes again to one that decodes
 *    to the same outcomes (failed, state kind and state, result, actions),
 *    and never holds more outcomes or actions than RT_WIRE_MAX_LIST;
 *  - an orchestrator result that asks to be sent again (RESEND) carries
 *    nothing else;
 *  - an orchestrator request that decodes goes through the worker's
 *    history cache (one kept across inputs, so held pasts meet later
 *    requests): a request that counts on held events the cache does not
 *    hold is answered "resend", and the past handed out is the held
 *    events plus those sent.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/wire.h"
#include "host/worker/episode.h"
#include "host/worker/history_cache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_request_cache(const struct rt_wire_frame *f, struct rt_arena *a)
{
	static struct history_cache *cache;
	static int64_t now;
	struct rt_wire_orch_request m;
	const struct rt_event *past;
	size_t n;
	int held;
	const char *err = NULL;
	if (!cache)
		cache = history_cache_new(1000, 1u << 20, 4u << 20);
	if (rt_wire_orch_request_decode(f, &m, a, &err) != 0)
		return;
	if (m.past_held && (!m.execution || !m.past_tail.data))
		abort();
	now += 100;
	int rc = history_cache_past(cache, &m, now, a, &past, &n, &held, &err);
	if (rc == 1 && m.past_held == 0)
		abort(); /* a whole past is never refused as not held */
	if (rc == 0 && n != m.past_held + m.npast)
		abort();
	if (rc == 0 && held)
		for (size_t i = 0; i < n; i++)
			if (!past[i].is_played)
				abort();
	history_cache_sweep(cache, now);
}

static void check_response_round_trip(const struct rt_wire_frame *f, struct rt_arena *a)
{
	struct rt_wire_http_response m, again;
	struct rt_wire_buf b;
	struct rt_wire_frame g;
	const char *err = NULL;
	size_t used;

	if (rt_wire_http_response_decode(f, &m, a, &err) != 0)
		return;
	rt_wire_buf_init(&b);
	if (rt_wire_http_response_encode(&b, f->id, &m) != 0 ||
	    rt_wire_frame_next(b.data, b.len, RT_WIRE_MAX_FRAME, &g, &used, &err) != 1 ||
	    used != b.len || rt_wire_http_response_decode(&g, &again, a, &err) != 0 ||
	    again.status != m.status || again.nheaders != m.nheaders ||
	    again.body.len != m.body.len || memcmp(again.body.data, m.body.data, m.body.len) != 0)
		abort();
	for (size_t i = 0; i < m.nheaders; i++)
		if (strcmp(again.headers[i].name, m.headers[i].name) != 0 ||
		    strcmp(again.headers[i].value, m.headers[i].value) != 0)
			abort();
	rt_wire_buf_cleanup(&b);
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void check_entity_round_trip(const struct rt_wire_frame *f, struct rt_arena *a)
{
	struct rt_wire_entity_result m, again;
	struct rt_wire_buf b;
	struct rt_wire_frame g;
	const char *err = NULL;
	size_t used;

	if (rt_wire_entity_result_decode(f, &m, a, &err) != 0)
		return;
	if (m.nops > RT_WIRE_MAX_LIST)
		abort();
	rt_wire_buf_init(&b);
	if (rt_wire_entity_result_encode(&b, f->id, &m) != 0 ||
	    rt_wire_frame_next(b.data, b.len, RT_WIRE_MAX_FRAME, &g, &used, &err) != 1 ||
	    used != b.len || rt_wire_entity_result_decode(&g, &again, a, &err) != 0 ||
	    again.nops != m.nops || !same_str(again.error, m.error))
		abort();
	for (size_t i = 0; i < m.nops; i++) {
		const struct rt_wire_entity_outcome *x = &m.ops[i], *y = &again.ops[i];
		if (x->nactions > RT_WIRE_MAX_LIST || x->failed != y->failed ||
		    x->state_kind != y->state_kind || x->nactions != y->nactions ||
		    !same_str(x->result, y->result) || !same_str(x->error, y->error) ||
		    (x->state_kind == RT_WIRE_STATE_SET && !same_str(x->state, y->state)))
			abort();
		for (size_t j = 0; j < x->nactions; j++)
			if (x->actions[j].kind != y->actions[j].kind ||
			    x->actions[j].at_us != y->actions[j].at_us ||
			    !same_str(x->actions[j].instance, y->actions[j].instance) ||
			    !same_str(x->actions[j].op, y->actions[j].op) ||
			    !same_str(x->actions[j].input, y->actions[j].input) ||
			    !same_str(x->actions[j].name, y->actions[j].name))
				abort();
	}
	rt_wire_buf_cleanup(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rt_arena a;
	size_t at = 0;

	rt_arena_init(&a);
	while (at < size) {
		struct rt_wire_frame f;
		const char *err = NULL;
		size_t used = 0;
		int rc = rt_wire_frame_next(data + at, size - at, 1u << 20, &f, &used, &err);
		if (rc <= 0) {
			if (rc < 0 && !err)
				abort();
			break;
		}
		if (used > size - at || used < RT_WIRE_HEADER)
			abort();
		if (rt_wire_decode_any(&f, &a, &err) != 0 && !err)
			abort();
		if (f.type == RT_WIRE_HTTP_RESPONSE)
			check_response_round_trip(&f, &a);
		if (f.type == RT_WIRE_ENTITY_RESULT)
			check_entity_round_trip(&f, &a);
		if (f.type == RT_WIRE_ORCH_RESULT) {
			struct rt_wire_orch_result m;
			struct rt_episode_out out;
			int ok = rt_wire_orch_result_decode(&f, &m, &a, &err) == 0;
			if (ok && m.resend && (m.error || m.held || m.nevents || m.nactions))
				abort();
			if (ok && host_episode_result(&m, &out, &a, &err) == 0 &&
			    (out.n_actions != m.nactions || out.n_new_events != m.nevents))
				abort();
		}
		if (f.type == RT_WIRE_ORCH_REQUEST)
			check_request_cache(&f, &a);
		at += used;
		rt_arena_reset(&a);
	}
	rt_arena_cleanup(&a);
	return 0;
}
