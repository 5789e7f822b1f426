/*
 * wire_entity.c - ENTITY_REQUEST and ENTITY_RESULT (wire.h): one batch of
 * operations of one entity, and what each operation did.
 *
 * An operation is a nested field; its actions are bytes fields inside it,
 * each a run of fields of its own (the framing nests one level only).
 * Every run of fields (a message, an operation, an outcome, an action) is
 * decoded by the one loop decode_fields from a table of rules: which tag
 * goes to which member, its type and bound, and the error naming it. It
 * counts every list before it allocates for it, so a worker's counts are
 * bounded by RT_WIRE_MAX_LIST before any memory follows them.
 */
#include "common/wire.h"

#include <stddef.h>
#include <string.h>

#define FAIL(msg)                \
	do {                     \
		*err = (msg);    \
		return -1;       \
	} while (0)

/* ---- one decoding loop for every message and nested run ------------------ */

/* What a field of a run becomes in the struct being decoded. */
enum rule_kind {
	R_STR,  /* const char * at off */
	R_U32,  /* uint32_t at off, at most max */
	R_I64,  /* int64_t at off, not negative */
	R_LIST, /* a repeated nested field: an array (pointer at off, count at
		 * count_off) of `size`-byte elements, each decoded by elem */
};

struct rule {
	uint16_t tag;
	enum rule_kind kind;
	size_t off;
	const char *bad; /* the error when the field does not decode or is out of range */
	uint32_t max;
	size_t count_off, size;
	int (*elem)(const struct rt_wire_field *f, void *elem, struct rt_arena *a,
		    const char **err);
};

/* Decodes the run of fields data[0..len) into `into` by the rules (a tag
 * with no rule is skipped). Every list is counted, and bounded by
 * RT_WIRE_MAX_LIST, before anything is allocated for it. */
static int decode_fields(const void *data, size_t len, const struct rule *rules, size_t nrules,
			 void *into, struct rt_arena *a, const char *truncated, const char **err)
{
	char *base = into;
	struct rt_wire_iter it;
	struct rt_wire_field fld;
	int rc;
	for (size_t i = 0; i < nrules; i++) {
		const struct rule *r = &rules[i];
		size_t n;
		if (r->kind != R_LIST)
			continue;
		if (rt_wire_count_tag(data, len, r->tag, &n, err))
			return -1;
		void *elems = rt_arena_calloc(a, (n ? n : 1) * r->size);
		memcpy(base + r->off, &elems, sizeof(elems));
		*(size_t *)(base + r->count_off) = 0;
	}
	rt_wire_iter_init(&it, data, len);
	while ((rc = rt_wire_iter_next(&it, &fld)) == 1) {
		const struct rule *r = rules;
		while (r < rules + nrules && r->tag != fld.tag)
			r++;
		if (r == rules + nrules)
			continue;
		switch (r->kind) {
		case R_STR:
			if (rt_wire_get_str(&fld, a, (const char **)(void *)(base + r->off)))
				FAIL(r->bad);
			break;
		case R_U32: {
			uint32_t *v = (uint32_t *)(void *)(base + r->off);
			if (rt_wire_get_u32(&fld, v) || *v > r->max)
				FAIL(r->bad);
			break;
		}
		case R_I64: {
			int64_t *v = (int64_t *)(void *)(base + r->off);
			if (rt_wire_get_i64(&fld, v) || *v < 0)
				FAIL(r->bad);
			break;
		}
		case R_LIST: {
			char *elems;
			size_t *count = (size_t *)(void *)(base + r->count_off);
			memcpy(&elems, base + r->off, sizeof(elems));
			if (r->elem(&fld, elems + *count * r->size, a, err))
				return -1;
			(*count)++;
			break;
		}
		}
	}
	if (rc < 0)
		FAIL(truncated);
	return 0;
}

#define STR(tag, type, field, bad) {tag, R_STR, offsetof(type, field), bad, 0, 0, 0, NULL}
#define U32(tag, type, field, max, bad) {tag, R_U32, offsetof(type, field), bad, max, 0, 0, NULL}
#define I64(tag, type, field, bad) {tag, R_I64, offsetof(type, field), bad, 0, 0, 0, NULL}
#define LIST(tag, type, field, count, elem_type, fn)                                   \
	{tag, R_LIST, offsetof(type, field), NULL, 0, offsetof(type, count), sizeof(elem_type), fn}
#define NRULES(r) (sizeof(r) / sizeof((r)[0]))

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

static int decode_op(const struct rt_wire_field *outer, void *elem, struct rt_arena *a,
		     const char **err)
{
	static const struct rule rules[] = {
		STR(RT_WT_OP, struct rt_wire_entity_op, op, "bad operation name"),
		STR(RT_WT_INPUT, struct rt_wire_entity_op, input, "bad operation input"),
	};
	struct rt_wire_entity_op *op = elem;
	memset(op, 0, sizeof(*op));
	if (decode_fields(outer->data, outer->len, rules, NRULES(rules), op, a,
			  "truncated operation", err))
		return -1;
	if (!op->op)
		op->op = "";
	return 0;
}

int rt_wire_entity_request_decode(const struct rt_wire_frame *f,
				  struct rt_wire_entity_request *m, struct rt_arena *a,
				  const char **err)
{
	typedef struct rt_wire_entity_request req;
	static const struct rule rules[] = {
		STR(RT_WT_NAME, req, name, "bad entity name"),
		STR(RT_WT_INSTANCE, req, instance, "bad instance id"),
		STR(RT_WT_KEY, req, key, "bad entity key"),
		STR(RT_WT_STATE, req, state, "bad state"),
		U32(RT_WT_KEEP_FAILED, req, keep_failed, 1, "bad keep-failed flag"),
		LIST(RT_WT_E_OP, req, ops, nops, struct rt_wire_entity_op, decode_op),
	};
	if (f->type != RT_WIRE_ENTITY_REQUEST)
		FAIL("frame of another type");
	memset(m, 0, sizeof(*m));
	if (decode_fields(f->body, f->len, rules, NRULES(rules), m, a, "truncated field", err))
		return -1;
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

/* An action as it is read: its kind comes as a u32 before it is an enum. */
struct action_in {
	struct rt_wire_entity_action act;
	uint32_t kind;
};

static int decode_action(const struct rt_wire_field *outer, void *elem, struct rt_arena *a,
			 const char **err)
{
	typedef struct action_in in;
	static const struct rule rules[] = {
		U32(RT_WT_E_ACTION_KIND, in, kind, RT_WIRE_EACT_START, "bad action kind"),
		I64(RT_WT_AT, in, act.at_us, "bad signal time"),
		STR(RT_WT_INSTANCE, in, act.instance, "bad action instance"),
		STR(RT_WT_OP, in, act.op, "bad action operation"),
		STR(RT_WT_INPUT, in, act.input, "bad action input"),
		STR(RT_WT_NAME, in, act.name, "bad action name"),
	};
	struct action_in x;
	memset(&x, 0, sizeof(x));
	x.kind = UINT32_MAX;
	if (decode_fields(outer->data, outer->len, rules, NRULES(rules), &x, a,
			  "truncated action", err))
		return -1;
	if (x.kind == UINT32_MAX)
		FAIL("action without kind");
	struct rt_wire_entity_action *act = elem;
	*act = x.act;
	act->kind = (enum rt_wire_entity_action_kind)x.kind;
	if (act->kind == RT_WIRE_EACT_SIGNAL && !act->instance)
		FAIL("signal without target");
	if (act->kind == RT_WIRE_EACT_START && (!act->name || !*act->name))
		FAIL("start without orchestrator name");
	return 0;
}

/* An outcome as it is read: its state kind comes as a u32. */
struct outcome_in {
	struct rt_wire_entity_outcome o;
	uint32_t kind;
};

static int decode_outcome(const struct rt_wire_field *outer, void *elem, struct rt_arena *a,
			  const char **err)
{
	typedef struct outcome_in in;
	static const struct rule rules[] = {
		U32(RT_WT_FAILED, in, o.failed, 1, "bad failed flag"),
		STR(RT_WT_OUTPUT, in, o.result, "bad operation result"),
		STR(RT_WT_ERROR, in, o.error, "bad operation failure"),
		U32(RT_WT_STATE_KIND, in, kind, RT_WIRE_STATE_DELETED, "bad state kind"),
		STR(RT_WT_STATE, in, o.state, "bad state"),
		LIST(RT_WT_E_ACTION, in, o.actions, o.nactions, struct rt_wire_entity_action,
		     decode_action),
	};
	struct outcome_in x;
	memset(&x, 0, sizeof(x));
	x.kind = RT_WIRE_STATE_SAME;
	if (decode_fields(outer->data, outer->len, rules, NRULES(rules), &x, a,
			  "truncated operation outcome", err))
		return -1;
	struct rt_wire_entity_outcome *o = elem;
	*o = x.o;
	o->state_kind = (enum rt_wire_state_kind)x.kind;
	if (o->state_kind == RT_WIRE_STATE_SET && !o->state)
		FAIL("state set without a state");
	if (o->failed && !o->error)
		o->error = "the entity operation failed";
	return 0;
}

int rt_wire_entity_result_decode(const struct rt_wire_frame *f, struct rt_wire_entity_result *m,
				 struct rt_arena *a, const char **err)
{
	typedef struct rt_wire_entity_result res;
	static const struct rule rules[] = {
		STR(RT_WT_ERROR, res, error, "bad error text"),
		LIST(RT_WT_E_OP, res, ops, nops, struct rt_wire_entity_outcome, decode_outcome),
	};
	if (f->type != RT_WIRE_ENTITY_RESULT)
		FAIL("frame of another type");
	memset(m, 0, sizeof(*m));
	return decode_fields(f->body, f->len, rules, NRULES(rules), m, a, "truncated field", err);
}
