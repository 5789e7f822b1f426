/*
 * entity_msg.c - entity ids and the JSON of the messages between entities,
 * orchestrations and clients (formats in entity.h).
 */
#include "runtime/entity.h"
#include "common/json_quote.h"
#include "common/utf8.h"

#include <ctype.h>
#include <jansson.h>
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
	/* UTF-8: let jansson judge, it is strict. */
	json_t *s = json_string(key);
	if (!s)
		return "entity key is not valid UTF-8";
	json_decref(s);
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

/* A jansson value as compact JSON text in `a`; NULL on failure. */
static char *dump(struct rt_arena *a, json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	char *out = s ? rt_arena_strdup(a, s) : NULL;
	free(s);
	json_decref(v);
	return out;
}

static const char *str_member(json_t *o, const char *k, struct rt_arena *a)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? rt_arena_strdup(a, json_string_value(v)) : NULL;
}

int64_t rt_entity_msg_due(const char *json)
{
	json_t *o = json ? json_loads(json, JSON_DECODE_ANY, NULL) : NULL;
	int64_t us = 0;
	json_t *due = json_object_get(o, "due");
	if (json_is_string(due) && rt_parse_time(json_string_value(due), &us) != 0)
		us = 0;
	json_decref(o);
	return us;
}

int rt_entity_msg_parse(const char *event, const char *json, struct rt_entity_msg *m,
			struct rt_arena *a)
{
	json_t *o = json ? json_loads(json, 0, NULL) : NULL, *v;
	memset(m, 0, sizeof(*m));
	if (!json_is_object(o)) {
		json_decref(o);
		return -1;
	}
	m->raw = rt_arena_strdup(a, json);
	m->id = str_member(o, "id", a);
	m->parent = str_member(o, "parent", a);
	m->parent_execution = str_member(o, "parentExecution", a);
	v = json_object_get(o, "due");
	if (json_is_string(v) && rt_parse_time(json_string_value(v), &m->due_us) != 0)
		m->due_us = 0;
	if (event && strcmp(event, RT_ENTITY_RELEASE_EVENT) == 0) {
		m->kind = RT_EMSG_RELEASE;
		json_decref(o);
		return m->parent ? 0 : -1;
	}
	v = json_object_get(o, "lockset");
	if (json_is_array(v) && !json_object_get(o, "op")) {
		size_t n = json_array_size(v);
		json_t *p = json_object_get(o, "pos");
		m->kind = RT_EMSG_LOCK;
		m->lockset = rt_arena_calloc(a, (n + 1) * sizeof(*m->lockset));
		for (size_t i = 0; i < n; i++) {
			json_t *e = json_array_get(v, i);
			if (!json_is_string(e))
				goto bad;
			m->lockset[i] = rt_arena_strdup(a, json_string_value(e));
		}
		m->nlockset = n;
		m->pos = json_is_integer(p) ? (int)json_integer_value(p) : -1;
		if (n == 0 || m->pos < 0 || (size_t)m->pos >= n || !m->parent || !m->id)
			goto bad;
		json_decref(o);
		return 0;
	}
	m->kind = RT_EMSG_OP;
	m->op = str_member(o, "op", a);
	if (!m->op)
		m->op = "";
	v = json_object_get(o, "input");
	m->input = json_is_string(v) ? rt_arena_strdup(a, json_string_value(v)) : NULL;
	m->signal = json_is_true(json_object_get(o, "signal"));
	/* A call needs someone to answer. */
	if (!m->signal && (!m->parent || !m->id))
		goto bad;
	json_decref(o);
	return 0;
bad:
	json_decref(o);
	return -1;
}

static void set_str(json_t *o, const char *k, const char *v)
{
	if (v)
		json_object_set_new(o, k, json_string(v));
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

/* The operation message written directly, as jansson would lay it out:
 * one per signal, the most frequent message by far. NULL when a string is
 * not valid UTF-8, which jansson refuses to hold: its path then decides. */
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
	if (due_us > 0)
		rt_format_time_o(due_us, due);
	char *direct = msg_op_direct(a, op ? op : "", input, signal, id, parent, parent_execution,
				     due_us > 0 ? due : NULL);
	if (direct)
		return direct;
	json_t *o = json_object();
	json_object_set_new(o, "op", json_string(op ? op : ""));
	if (signal)
		json_object_set_new(o, "signal", json_true());
	set_str(o, "input", input);
	set_str(o, "id", id);
	set_str(o, "parent", parent);
	set_str(o, "parentExecution", parent_execution);
	if (due_us > 0) {
		char t[40];
		rt_format_time_o(due_us, t);
		json_object_set_new(o, "due", json_string(t));
	}
	return dump(a, o);
}

char *rt_entity_msg_lock(struct rt_arena *a, const char *id, const char *parent,
			 const char *parent_execution, const char *const *lockset, size_t n,
			 int pos)
{
	json_t *o = json_object(), *l = json_array();
	set_str(o, "id", id);
	set_str(o, "parent", parent);
	set_str(o, "parentExecution", parent_execution);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(l, json_string(lockset[i]));
	json_object_set_new(o, "lockset", l);
	json_object_set_new(o, "pos", json_integer(pos));
	return dump(a, o);
}

char *rt_entity_msg_release(struct rt_arena *a, const char *id, const char *parent)
{
	json_t *o = json_object();
	set_str(o, "id", id);
	set_str(o, "parent", parent);
	return dump(a, o);
}

char *rt_entity_reply(struct rt_arena *a, int failed, const char *text)
{
	json_t *o = json_object();
	if (failed) {
		json_object_set_new(o, "exceptionType", json_string("EntityOperationFailed"));
		json_object_set_new(o, "exceptionMessage", json_string(text ? text : ""));
	} else {
		json_object_set_new(o, "result", json_string(text ? text : "null"));
	}
	return dump(a, o);
}

int rt_entity_reply_parse(const char *json, int *failed, const char **text, struct rt_arena *a)
{
	json_t *o = json ? json_loads(json, 0, NULL) : NULL, *v;
	int rc = -1;
	if (!json_is_object(o))
		goto out;
	if (json_object_get(o, "exceptionType")) {
		v = json_object_get(o, "exceptionMessage");
		*failed = 1;
		*text = rt_arena_strdup(a, json_is_string(v) ? json_string_value(v)
							     : "the entity operation failed");
		rc = 0;
	} else if (json_is_string(v = json_object_get(o, "result"))) {
		*failed = 0;
		*text = rt_arena_strdup(a, json_string_value(v));
		rc = 0;
	}
out:
	json_decref(o);
	return rc;
}

char *rt_entity_status_json(struct rt_arena *a, int exists, size_t queue_len,
			    const char *locked_by)
{
	/* Written once per entity and batch: without a lock holder to escape
	 * the text is fixed, and formatting it directly costs a fraction of
	 * building and dumping an object. Same bytes as the jansson form. */
	if (!locked_by)
		return rt_arena_fmt(a, "{\"entityExists\":%s,\"queueSize\":%zu,\"lockedBy\":null}",
				    exists ? "true" : "false", queue_len);
	json_t *o = json_object();
	json_object_set_new(o, "entityExists", json_boolean(exists));
	json_object_set_new(o, "queueSize", json_integer((json_int_t)queue_len));
	json_object_set_new(o, "lockedBy", locked_by ? json_string(locked_by) : json_null());
	return dump(a, o);
}
