/*
 * entity_msg.c - entity ids and the JSON of the messages between entities,
 * orchestrations and clients (formats in entity.h).
 *
 * Read with common/json_read.h and written with common/json_write.h rather
 * than a JSON library: these records are the runtime's own, a handful of
 * flat members each, and the runtime links none. The writer lays them out
 * as jansson did, byte for byte (stored rows and the management API's
 * answers stay the same); the reader accepts what jansson accepted, and a
 * repeated key counts by its last value, as it did.
 */
#include "runtime/entity.h"
#include "common/json_check.h"
#include "common/json_quote.h"
#include "common/json_read.h"
#include "common/json_write.h"
#include "common/utf8.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

const char *rt_entity_id_problem(const char *name, const char *key)
{
	size_t n = 0;
	if (!name || !*name)
		return "entity name must not be a null or empty string";
	if (!isalpha((unsigned char)name[0]))
		return "entity name must start with a letter";
	for (const char *p = name; *p; p++, n++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return "entity name may contain only letters, digits, '_' and '-'";
	if (n > 128)
		return "entity name is longer than 128 bytes";
	if (!key)
		return "entity key must not be null";
	if (strlen(key) > RT_ENTITY_KEY_MAX)
		return "entity key is longer than 200 bytes";
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\' || *p == '#' || *p == '?')
			return "entity key must not contain '/', '\\', '#', '?' or control characters";
	/* RFC 3629, as strict as the JSON the key travels in. */
	if (!rt_utf8_valid(key))
		return "entity key is not valid UTF-8";
	return NULL;
}

char *rt_entity_id(struct rt_arena *a, const char *name, const char *key)
{
	char *id = rt_arena_fmt(a, "@%s@%s", name, key);
	for (char *p = id + 1; *p && *p != '@'; p++)
		*p = (char)tolower((unsigned char)*p);
	return id;
}

int rt_entity_id_is(const char *instance_id)
{
	return instance_id && instance_id[0] == '@';
}

int rt_entity_id_split(const char *id, struct rt_arena *a, const char **name, const char **key)
{
	const char *at;
	if (!rt_entity_id_is(id) || !(at = strchr(id + 1, '@')) || at == id + 1)
		return -1;
	char *n = rt_arena_alloc(a, (size_t)(at - id));
	memcpy(n, id + 1, (size_t)(at - id - 1));
	n[at - id - 1] = '\0';
	*name = n;
	*key = rt_arena_strdup(a, at + 1);
	return 0;
}

/* A reader inside the object `json`: 0, or -1 when `json` is NULL, not
 * JSON (nested deeper than jansson allowed, too) or not an object. */
static int open_object(struct rt_json_reader *r, const char *json)
{
	if (!json ||
	    rt_json_read_init(r, json, strlen(json), RT_JSON_JANSSON_DEPTH,
			      RT_ENTITY_JSON_MAX_BYTES) != 0 ||
	    rt_json_read_kind(r) != RT_JSON_OBJECT)
		return -1;
	return rt_json_read_enter(r);
}

/* The member's value when it is a string, else NULL (and it is skipped).
 * Callers assign it at every occurrence, so a repeated key answers its
 * last value, as jansson's object did. */
static const char *str_value(struct rt_json_reader *r, struct rt_arena *a)
{
	const char *s;
	if (rt_json_read_string(r, a, &s) == 0)
		return s;
	rt_json_read_skip(r);
	return NULL;
}

static int64_t due_of(const char *due)
{
	int64_t us = 0;
	if (due && rt_parse_time(due, &us) != 0)
		us = 0;
	return us;
}

int64_t rt_entity_msg_due(const char *json)
{
	struct rt_json_reader r;
	struct rt_arena a;
	const char *due = NULL;
	int more;
	if (open_object(&r, json) != 0)
		return 0;
	rt_arena_init(&a);
	while ((more = rt_json_read_member(&r)) == 1) {
		if (rt_json_read_key_is(&r, "due"))
			due = str_value(&r, &a);
		else
			rt_json_read_skip(&r);
	}
	int64_t us = more == 0 ? due_of(due) : 0;
	rt_arena_cleanup(&a);
	return us;
}

/* A "lockset" array: its strings in m, *bad when it holds anything else. */
static void read_lockset(struct rt_json_reader *r, struct rt_entity_msg *m, int *bad,
			 struct rt_arena *a)
{
	size_t cap = 4;
	const char *s;
	*bad = 0;
	m->nlockset = 0;
	m->lockset = rt_arena_calloc(a, (cap + 1) * sizeof(*m->lockset));
	rt_json_read_enter(r);
	while (rt_json_read_element(r) == 1) {
		if (rt_json_read_string(r, a, &s) != 0) {
			*bad = 1;
			rt_json_read_skip(r);
			continue;
		}
		if (m->nlockset == cap) {
			const char **n = rt_arena_calloc(a, (2 * cap + 1) * sizeof(*n));
			memcpy(n, m->lockset, cap * sizeof(*n));
			m->lockset = n;
			cap *= 2;
		}
		m->lockset[m->nlockset++] = s;
	}
}

int rt_entity_msg_parse(const char *event, const char *json, struct rt_entity_msg *m,
			struct rt_arena *a)
{
	struct rt_json_reader r;
	const char *due = NULL;
	int has_op = 0, has_lockset = 0, lockset_bad = 0, more;
	long long pos = -1;

	memset(m, 0, sizeof(*m));
	if (open_object(&r, json) != 0)
		return -1;
	/* One pass over the members; what the message is depends on which
	 * were there, so it is decided after the last. */
	while ((more = rt_json_read_member(&r)) == 1) {
		if (rt_json_read_key_is(&r, "id")) {
			m->id = str_value(&r, a);
		} else if (rt_json_read_key_is(&r, "parent")) {
			m->parent = str_value(&r, a);
		} else if (rt_json_read_key_is(&r, "parentExecution")) {
			m->parent_execution = str_value(&r, a);
		} else if (rt_json_read_key_is(&r, "due")) {
			due = str_value(&r, a);
		} else if (rt_json_read_key_is(&r, "op")) {
			has_op = 1;
			m->op = str_value(&r, a);
		} else if (rt_json_read_key_is(&r, "input")) {
			m->input = str_value(&r, a);
		} else if (rt_json_read_key_is(&r, "signal")) {
			m->signal = rt_json_read_kind(&r) == RT_JSON_TRUE;
			rt_json_read_skip(&r);
		} else if (rt_json_read_key_is(&r, "lockset")) {
			has_lockset = rt_json_read_kind(&r) == RT_JSON_ARRAY;
			if (has_lockset)
				read_lockset(&r, m, &lockset_bad, a);
			else
				rt_json_read_skip(&r);
		} else if (rt_json_read_key_is(&r, "pos")) {
			if (rt_json_read_integer(&r, &pos) != 0) {
				pos = -1;
				rt_json_read_skip(&r);
			}
		} else {
			rt_json_read_skip(&r);
		}
	}
	if (more != 0)
		return -1;
	m->raw = rt_arena_strdup(a, json);
	m->due_us = due_of(due);
	if (event && strcmp(event, RT_ENTITY_RELEASE_EVENT) == 0) {
		m->kind = RT_EMSG_RELEASE;
		m->op = m->input = NULL;
		m->signal = 0;
		m->lockset = NULL;
		m->nlockset = 0;
		return m->parent ? 0 : -1;
	}
	if (has_lockset && !has_op) {
		m->kind = RT_EMSG_LOCK;
		m->input = NULL;
		m->signal = 0;
		/* An integer beyond an int is out of any lockset's range. */
		m->pos = pos >= 0 && pos <= INT_MAX ? (int)pos : -1;
		if (lockset_bad || m->nlockset == 0 || m->pos < 0 ||
		    (size_t)m->pos >= m->nlockset || !m->parent || !m->id)
			return -1;
		return 0;
	}
	m->kind = RT_EMSG_OP;
	m->lockset = NULL;
	m->nlockset = 0;
	if (!m->op)
		m->op = "";
	/* A call needs someone to answer. */
	if (!m->signal && (!m->parent || !m->id))
		return -1;
	return 0;
}

/* A member whose value is the string v; left out when v is NULL. */
static void put_str(struct rt_json_writer *w, const char *k, const char *v)
{
	if (v) {
		rt_json_write_key(w, k);
		rt_json_write_string(w, v);
	}
}

/* Room for ,"<k>":<v as a JSON string>; 0 when v is NULL (left out). */
static size_t member_len(const char *k, const char *v)
{
	return v ? strlen(k) + 4 + rt_json_quoted_len(v, strlen(v)) : 0;
}

static char *put_member(char *p, const char *k, const char *v)
{
	size_t n = strlen(k);
	if (!v)
		return p;
	*p++ = ',';
	*p++ = '"';
	memcpy(p, k, n);
	p += n;
	*p++ = '"';
	*p++ = ':';
	return p + rt_json_quote_to(p, v, strlen(v));
}

/* The operation message written directly in one allocation: one per
 * signal, the most frequent message by far. NULL when a string is not
 * valid UTF-8: the writer's path then leaves that member out. */
static char *msg_op_direct(struct rt_arena *a, const char *op, const char *input, int signal,
			   const char *id, const char *parent, const char *parent_execution,
			   const char *due)
{
	const char *const keys[] = {"input", "id", "parent", "parentExecution", "due"};
	const char *const vals[] = {input, id, parent, parent_execution, due};
	size_t n = sizeof("{\"op\":,\"signal\":true}") + rt_json_quoted_len(op, strlen(op));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (vals[i] && !rt_utf8_valid(vals[i]))
			return NULL;
		n += member_len(keys[i], vals[i]);
	}
	if (!rt_utf8_valid(op))
		return NULL;
	char *out = rt_arena_alloc(a, n), *p = out;
	memcpy(p, "{\"op\":", 6);
	p += 6;
	p += rt_json_quote_to(p, op, strlen(op));
	if (signal) {
		memcpy(p, ",\"signal\":true", 14);
		p += 14;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		p = put_member(p, keys[i], vals[i]);
	*p++ = '}';
	*p = '\0';
	return out;
}

char *rt_entity_msg_op(struct rt_arena *a, const char *op, const char *input, int signal,
		       const char *id, const char *parent, const char *parent_execution,
		       int64_t due_us)
{
	char due[40];
	struct rt_json_writer w;
	if (due_us > 0)
		rt_format_time_o(due_us, due);
	char *direct = msg_op_direct(a, op ? op : "", input, signal, id, parent, parent_execution,
				     due_us > 0 ? due : NULL);
	if (direct)
		return direct;
	rt_json_write_init(&w, a);
	rt_json_write_open_object(&w);
	put_str(&w, "op", op ? op : "");
	if (signal) {
		rt_json_write_key(&w, "signal");
		rt_json_write_bool(&w, 1);
	}
	put_str(&w, "input", input);
	put_str(&w, "id", id);
	put_str(&w, "parent", parent);
	put_str(&w, "parentExecution", parent_execution);
	put_str(&w, "due", due_us > 0 ? due : NULL);
	rt_json_write_close_object(&w);
	return (char *)rt_json_write_text(&w);
}

char *rt_entity_msg_lock(struct rt_arena *a, const char *id, const char *parent,
			 const char *parent_execution, const char *const *lockset, size_t n,
			 int pos)
{
	struct rt_json_writer w;
	rt_json_write_init(&w, a);
	rt_json_write_open_object(&w);
	put_str(&w, "id", id);
	put_str(&w, "parent", parent);
	put_str(&w, "parentExecution", parent_execution);
	rt_json_write_key(&w, "lockset");
	rt_json_write_open_array(&w);
	for (size_t i = 0; i < n; i++)
		rt_json_write_string(&w, lockset[i]);
	rt_json_write_close_array(&w);
	rt_json_write_key(&w, "pos");
	rt_json_write_int(&w, pos);
	rt_json_write_close_object(&w);
	return (char *)rt_json_write_text(&w);
}

char *rt_entity_msg_release(struct rt_arena *a, const char *id, const char *parent)
{
	struct rt_json_writer w;
	rt_json_write_init(&w, a);
	rt_json_write_open_object(&w);
	put_str(&w, "id", id);
	put_str(&w, "parent", parent);
	rt_json_write_close_object(&w);
	return (char *)rt_json_write_text(&w);
}

char *rt_entity_reply(struct rt_arena *a, int failed, const char *text)
{
	struct rt_json_writer w;
	rt_json_write_init(&w, a);
	rt_json_write_open_object(&w);
	if (failed) {
		put_str(&w, "exceptionType", "EntityOperationFailed");
		put_str(&w, "exceptionMessage", text ? text : "");
	} else {
		put_str(&w, "result", text ? text : "null");
	}
	rt_json_write_close_object(&w);
	return (char *)rt_json_write_text(&w);
}

int rt_entity_reply_parse(const char *json, int *failed, const char **text, struct rt_arena *a)
{
	struct rt_json_reader r;
	const char *message = NULL, *result = NULL;
	int exception = 0, more;
	if (open_object(&r, json) != 0)
		return -1;
	while ((more = rt_json_read_member(&r)) == 1) {
		if (rt_json_read_key_is(&r, "exceptionType")) {
			exception = 1; /* whatever its value: jansson's test was presence */
			rt_json_read_skip(&r);
		} else if (rt_json_read_key_is(&r, "exceptionMessage")) {
			message = str_value(&r, a);
		} else if (rt_json_read_key_is(&r, "result")) {
			result = str_value(&r, a);
		} else {
			rt_json_read_skip(&r);
		}
	}
	if (more != 0)
		return -1;
	if (exception) {
		*failed = 1;
		*text = message ? message : rt_arena_strdup(a, "the entity operation failed");
		return 0;
	}
	if (!result)
		return -1;
	*failed = 0;
	*text = result;
	return 0;
}

char *rt_entity_status_json(struct rt_arena *a, int exists, size_t queue_len,
			    const char *locked_by)
{
	struct rt_json_writer w;
	/* Written once per entity and batch: without a lock holder to escape
	 * the text is fixed, and formatting it directly costs a fraction of
	 * building it member by member. Same bytes either way. */
	if (!locked_by)
		return rt_arena_fmt(a, "{\"entityExists\":%s,\"queueSize\":%zu,\"lockedBy\":null}",
				    exists ? "true" : "false", queue_len);
	rt_json_write_init(&w, a);
	rt_json_write_open_object(&w);
	rt_json_write_key(&w, "entityExists");
	rt_json_write_bool(&w, exists);
	rt_json_write_key(&w, "queueSize");
	rt_json_write_int(&w, (long long)queue_len);
	put_str(&w, "lockedBy", locked_by);
	rt_json_write_close_object(&w);
	return (char *)rt_json_write_text(&w);
}
