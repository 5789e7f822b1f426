/*
 * wire_entity.c - ENTITY_REQUEST and ENTITY_RESULT (wire.h): one batch of
 * operations of one entity, and what each operation did.
 *
 * An operation is a nested field; its actions are bytes fields inside it,
 * each a run of fields of its own (the framing nests one level only).
 * Decoding counts every list before it allocates for it, so a worker's
 * counts are bounded by RT_WIRE_MAX_LIST before any memory follows them.
 */
#include "common/wire.h"

#include <string.h>

#define FAIL(msg)                \
	do {                     \
		*err = (msg);    \
		return -1;       \
	} while (0)

/* ---- request --------------------------------------------------------------- */

int rt_wire_entity_request_encode(struct rt_wire_buf *b, uint64_t id,
				  const struct rt_wire_entity_request *m)
{
	rt_wire_begin(b, RT_WIRE_ENTITY_REQUEST, id);
	rt_wire_put_str(b, RT_WT_NAME, m->name);
	rt_wire_put_str(b, RT_WT_INSTANCE, m->instance);
	rt_wire_put_str(b, RT_WT_KEY, m->key);
	rt_wire_put_str(b, RT_WT_STATE, m->state);
	if (m->keep_failed)
		rt_wire_put_u32(b, RT_WT_KEEP_FAILED, 1);
	for (size_t i = 0; i < m->nops; i++) {
		rt_wire_nest_open(b, RT_WT_E_OP);
		rt_wire_put_str(b, RT_WT_OP, m->ops[i].op);
		rt_wire_put_str(b, RT_WT_INPUT, m->ops[i].input);
		rt_wire_nest_close(b);
	}
	return rt_wire_end(b);
}

static int decode_op(const struct rt_wire_field *outer, struct rt_wire_entity_op *op,
		     struct rt_arena *a, const char **err)
{
	struct rt_wire_iter it;
	struct rt_wire_field fld;
	int rc;
	memset(op, 0, sizeof(*op));
	rt_wire_iter_init(&it, outer->data, outer->len);
	while ((rc = rt_wire_iter_next(&it, &fld)) == 1) {
		if (fld.tag == RT_WT_OP && rt_wire_get_str(&fld, a, &op->op))
			FAIL("bad operation name");
		if (fld.tag == RT_WT_INPUT && rt_wire_get_str(&fld, a, &op->input))
			FAIL("bad operation input");
	}
	if (rc < 0)
		FAIL("truncated operation");
	if (!op->op)
		op->op = "";
	return 0;
}

int rt_wire_entity_request_decode(const struct rt_wire_frame *f,
				  struct rt_wire_entity_request *m, struct rt_arena *a,
				  const char **err)
{
	struct rt_wire_iter it;
	struct rt_wire_field fld;
	size_t n;
	int rc;
	if (f->type != RT_WIRE_ENTITY_REQUEST)
		FAIL("frame of another type");
	if (rt_wire_count_tag(f->body, f->len, RT_WT_E_OP, &n, err))
		return -1;
	memset(m, 0, sizeof(*m));
	m->ops = rt_arena_calloc(a, (n ? n : 1) * sizeof(*m->ops));
	rt_wire_iter_init(&it, f->body, f->len);
	while ((rc = rt_wire_iter_next(&it, &fld)) == 1) {
		switch (fld.tag) {
		case RT_WT_NAME:
			if (rt_wire_get_str(&fld, a, &m->name))
				FAIL("bad entity name");
			break;
		case RT_WT_INSTANCE:
			if (rt_wire_get_str(&fld, a, &m->instance))
				FAIL("bad instance id");
			break;
		case RT_WT_KEY:
			if (rt_wire_get_str(&fld, a, &m->key))
				FAIL("bad entity key");
			break;
		case RT_WT_STATE:
			if (rt_wire_get_str(&fld, a, &m->state))
				FAIL("bad state");
			break;
		case RT_WT_KEEP_FAILED:
			if (rt_wire_get_u32(&fld, &m->keep_failed) || m->keep_failed > 1)
				FAIL("bad keep-failed flag");
			break;
		case RT_WT_E_OP:
			if (decode_op(&fld, &m->ops[m->nops], a, err))
				return -1;
			m->nops++;
			break;
		}
	}
	if (rc < 0)
		FAIL("truncated field");
	if (!m->name || !m->instance)
		FAIL("entity request without name or instance");
	if (!m->key)
		m->key = "";
	return 0;
}

/* ---- result ----------------------------------------------------------------- */

static void put_action(struct rt_wire_buf *b, const struct rt_wire_entity_action *act)
{
	struct rt_wire_buf one;
	rt_wire_buf_init(&one);
	rt_wire_put_u32(&one, RT_WT_E_ACTION_KIND, (uint32_t)act->kind);
	rt_wire_put_str(&one, RT_WT_INSTANCE, act->instance);
	rt_wire_put_str(&one, RT_WT_OP, act->op);
	rt_wire_put_str(&one, RT_WT_INPUT, act->input);
	rt_wire_put_str(&one, RT_WT_NAME, act->name);
	if (act->at_us)
		rt_wire_put_i64(&one, RT_WT_AT, act->at_us);
	rt_wire_put_bytes(b, RT_WT_E_ACTION, one.data, one.len);
	rt_wire_buf_cleanup(&one);
}

int rt_wire_entity_result_encode(struct rt_wire_buf *b, uint64_t id,
				 const struct rt_wire_entity_result *m)
{
	rt_wire_begin(b, RT_WIRE_ENTITY_RESULT, id);
	rt_wire_put_str(b, RT_WT_ERROR, m->error);
	for (size_t i = 0; i < m->nops; i++) {
		const struct rt_wire_entity_outcome *o = &m->ops[i];
		rt_wire_nest_open(b, RT_WT_E_OP);
		if (o->failed)
			rt_wire_put_u32(b, RT_WT_FAILED, 1);
		rt_wire_put_str(b, RT_WT_OUTPUT, o->result);
		rt_wire_put_str(b, RT_WT_ERROR, o->error);
		if (o->state_kind != RT_WIRE_STATE_SAME)
			rt_wire_put_u32(b, RT_WT_STATE_KIND, (uint32_t)o->state_kind);
		if (o->state_kind == RT_WIRE_STATE_SET)
			rt_wire_put_str(b, RT_WT_STATE, o->state);
		for (size_t j = 0; j < o->nactions; j++)
			put_action(b, &o->actions[j]);
		rt_wire_nest_close(b);
	}
	return rt_wire_end(b);
}

static int decode_action(const struct rt_wire_field *outer, struct rt_wire_entity_action *act,
			 struct rt_arena *a, const char **err)
{
	struct rt_wire_iter it;
	struct rt_wire_field fld;
	uint32_t kind = UINT32_MAX;
	int rc;
	memset(act, 0, sizeof(*act));
	rt_wire_iter_init(&it, outer->data, outer->len);
	while ((rc = rt_wire_iter_next(&it, &fld)) == 1) {
		switch (fld.tag) {
		case RT_WT_E_ACTION_KIND:
			if (rt_wire_get_u32(&fld, &kind) || kind > RT_WIRE_EACT_START)
				FAIL("bad action kind");
			break;
		case RT_WT_AT:
			if (rt_wire_get_i64(&fld, &act->at_us) || act->at_us < 0)
				FAIL("bad signal time");
			break;
		case RT_WT_INSTANCE:
			if (rt_wire_get_str(&fld, a, &act->instance))
				FAIL("bad action instance");
			break;
		case RT_WT_OP:
			if (rt_wire_get_str(&fld, a, &act->op))
				FAIL("bad action operation");
			break;
		case RT_WT_INPUT:
			if (rt_wire_get_str(&fld, a, &act->input))
				FAIL("bad action input");
			break;
		case RT_WT_NAME:
			if (rt_wire_get_str(&fld, a, &act->name))
				FAIL("bad action name");
			break;
		}
	}
	if (rc < 0)
		FAIL("truncated action");
	if (kind == UINT32_MAX)
		FAIL("action without kind");
	act->kind = (enum rt_wire_entity_action_kind)kind;
	if (act->kind == RT_WIRE_EACT_SIGNAL && !act->instance)
		FAIL("signal without target");
	if (act->kind == RT_WIRE_EACT_START && (!act->name || !*act->name))
		FAIL("start without orchestrator name");
	return 0;
}

static int decode_outcome(const struct rt_wire_field *outer, struct rt_wire_entity_outcome *o,
			  struct rt_arena *a, const char **err)
{
	struct rt_wire_iter it;
	struct rt_wire_field fld;
	uint32_t kind = RT_WIRE_STATE_SAME;
	size_t n;
	int rc;
	memset(o, 0, sizeof(*o));
	if (rt_wire_count_tag(outer->data, outer->len, RT_WT_E_ACTION, &n, err))
		return -1;
	o->actions = rt_arena_calloc(a, (n ? n : 1) * sizeof(*o->actions));
	rt_wire_iter_init(&it, outer->data, outer->len);
	while ((rc = rt_wire_iter_next(&it, &fld)) == 1) {
		switch (fld.tag) {
		case RT_WT_FAILED:
			if (rt_wire_get_u32(&fld, &o->failed) || o->failed > 1)
				FAIL("bad failed flag");
			break;
		case RT_WT_OUTPUT:
			if (rt_wire_get_str(&fld, a, &o->result))
				FAIL("bad operation result");
			break;
		case RT_WT_ERROR:
			if (rt_wire_get_str(&fld, a, &o->error))
				FAIL("bad operation failure");
			break;
		case RT_WT_STATE_KIND:
			if (rt_wire_get_u32(&fld, &kind) || kind > RT_WIRE_STATE_DELETED)
				FAIL("bad state kind");
			break;
		case RT_WT_STATE:
			if (rt_wire_get_str(&fld, a, &o->state))
				FAIL("bad state");
			break;
		case RT_WT_E_ACTION:
			if (decode_action(&fld, &o->actions[o->nactions], a, err))
				return -1;
			o->nactions++;
			break;
		}
	}
	if (rc < 0)
		FAIL("truncated operation outcome");
	o->state_kind = (enum rt_wire_state_kind)kind;
	if (o->state_kind == RT_WIRE_STATE_SET && !o->state)
		FAIL("state set without a state");
	if (o->failed && !o->error)
		o->error = "the entity operation failed";
	return 0;
}

int rt_wire_entity_result_decode(const struct rt_wire_frame *f, struct rt_wire_entity_result *m,
				 struct rt_arena *a, const char **err)
{
	struct rt_wire_iter it;
	struct rt_wire_field fld;
	size_t n;
	int rc;
	if (f->type != RT_WIRE_ENTITY_RESULT)
		FAIL("frame of another type");
	if (rt_wire_count_tag(f->body, f->len, RT_WT_E_OP, &n, err))
		return -1;
	memset(m, 0, sizeof(*m));
	m->ops = rt_arena_calloc(a, (n ? n : 1) * sizeof(*m->ops));
	rt_wire_iter_init(&it, f->body, f->len);
	while ((rc = rt_wire_iter_next(&it, &fld)) == 1) {
		if (fld.tag == RT_WT_ERROR && rt_wire_get_str(&fld, a, &m->error))
			FAIL("bad error text");
		if (fld.tag == RT_WT_E_OP) {
			if (decode_outcome(&fld, &m->ops[m->nops], a, err))
				return -1;
			m->nops++;
		}
	}
	if (rc < 0)
		FAIL("truncated field");
	return 0;
}
