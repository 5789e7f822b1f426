/*
 * wire_msg.c - every message of the host <-> worker protocol, encoded and
 * decoded (wire.h says what each carries).
 *
 * A decoder walks the body twice: once to count the list fields (so a list
 * is one arena array, bounded by RT_WIRE_MAX_LIST, or RT_WIRE_MAX_EVENTS for
 * an episode's events and actions, before anything is allocated for it),
 * once to fill the struct. Unknown tags are skipped.
 */
#include "common/wire.h"

#include <string.h>

#define FAIL(msg)                \
	do {                     \
		*err = (msg);    \
		return -1;       \
	} while (0)

static int get_pair(const struct rt_wire_field *f, struct rt_arena *a, struct rt_wire_kv *kv,
		    int value_required)
{
	const unsigned char *nul = f->len ? memchr(f->data, 0, f->len) : NULL;
	if (!nul) {
		if (value_required || f->len == 0)
			return -1;
		kv->name = rt_arena_strndup(a, (const char *)f->data, f->len);
		kv->value = NULL;
		return 0;
	}
	size_t nl = (size_t)(nul - f->data);
	size_t vl = f->len - nl - 1;
	if (nl == 0 || memchr(nul + 1, 0, vl))
		return -1;
	kv->name = rt_arena_strndup(a, (const char *)f->data, nl);
	kv->value = rt_arena_strndup(a, (const char *)nul + 1, vl);
	return 0;
}

static void get_bytes(const struct rt_wire_field *f, struct rt_arena *a, struct rt_wire_bytes *b)
{
	char *p = rt_arena_alloc(a, (size_t)f->len + 1);
	if (f->len)
		memcpy(p, f->data, f->len);
	p[f->len] = 0;
	b->data = p;
	b->len = f->len;
}

static void put_kvs(struct rt_wire_buf *b, uint16_t tag, const struct rt_wire_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++)
		rt_wire_put_pair(b, tag, kv[i].name, kv[i].value);
}

static void put_list(struct rt_wire_buf *b, uint16_t tag, const struct rt_wire_bytes *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		rt_wire_put_bytes(b, tag, v[i].data, v[i].len);
}

static int check_type(const struct rt_wire_frame *f, enum rt_wire_type t, const char **err)
{
	if (f->type != t)
		FAIL("frame of another type");
	return 0;
}

/* ---- HELLO --------------------------------------------------------------- */

int rt_wire_hello_encode(struct rt_wire_buf *b, const struct rt_wire_hello *m)
{
	rt_wire_begin(b, RT_WIRE_HELLO, 0);
	rt_wire_put_u32(b, RT_WT_MINOR, m->minor);
	rt_wire_put_i64(b, RT_WT_PID, m->pid);
	rt_wire_put_str(b, RT_WT_NAME, m->app);
	rt_wire_put_u32(b, RT_WT_ABI, m->abi);
	return rt_wire_end(b);
}

int rt_wire_hello_decode(const struct rt_wire_frame *f, struct rt_wire_hello *m,
			 struct rt_arena *a, const char **err)
{
	struct rt_wire_iter it;
	struct rt_wire_field fld;
	int rc, have_pid = 0;
	if (check_type(f, RT_WIRE_HELLO, err))
		return -1;
	memset(m, 0, sizeof(*m));
	rt_wire_iter_init(&it, f->body, f->len);
	while ((rc = rt_wire_iter_next(&it, &fld)) == 1) {
		switch (fld.tag) {
		case RT_WT_MINOR:
			if (rt_wire_get_u32(&fld, &m->minor))
				FAIL("bad minor");
			break;
		case RT_WT_PID:
			if (rt_wire_get_i64(&fld, &m->pid) || m->pid <= 0)
				FAIL("bad pid");
			have_pid = 1;
			break;
		case RT_WT_NAME:
			if (rt_wire_get_str(&fld, a, &m->app))
				FAIL("bad app name");
			break;
		case RT_WT_ABI:
			if (rt_wire_get_u32(&fld, &m->abi))
				FAIL("bad ABI version");
			break;
		}
	}
	if (rc < 0)
		FAIL("truncated field");
	if (!have_pid || !m->app)
		FAIL("hello without pid or app");
	return 0;
}

/* ---- REGISTRATION -------------------------------------------------------- */

int rt_wire_registration_encode(struct rt_wire_buf *b, const struct rt_wire_registration *m)
{
	rt_wire_begin(b, RT_WIRE_REGISTRATION, 0);
	rt_wire_put_str(b, RT_WT_NAME, m->app);
	rt_wire_put_str(b, RT_WT_ERROR, m->error);
	for (size_t i = 0; i < m->nfns; i++) {
		const struct rt_wire_function *fn = &m->fns[i];
		rt_wire_nest_open(b, RT_WT_FUNCTION);
		rt_wire_put_str(b, RT_WT_NAME, fn->name);
		rt_wire_put_u32(b, RT_WT_FN_KIND, fn->kind);
		rt_wire_put_str(b, RT_WT_FN_METHODS, fn->methods);
		rt_wire_put_str(b, RT_WT_FN_ROUTE, fn->route);
		rt_wire_put_u32(b, RT_WT_FN_AUTH, fn->auth);
		rt_wire_put_str(b, RT_WT_FN_SCHEDULE, fn->schedule);
		rt_wire_put_u32(b, RT_WT_FN_FLAGS, fn->flags);
		rt_wire_nest_close(b);
	}
	return rt_wire_end(b);
}

static int decode_function(const struct rt_wire_field *outer, struct rt_wire_function *fn,
			   struct rt_arena *a, const char **err)
{
	struct rt_wire_iter it;
	struct rt_wire_field fld;
	uint32_t kind = UINT32_MAX;
	int rc;
	memset(fn, 0, sizeof(*fn));
	rt_wire_iter_init(&it, outer->data, outer->len);
	while ((rc = rt_wire_iter_next(&it, &fld)) == 1) {
		switch (fld.tag) {
		case RT_WT_NAME:
			if (rt_wire_get_str(&fld, a, &fn->name))
				FAIL("bad function name");
			break;
		case RT_WT_FN_KIND:
			if (rt_wire_get_u32(&fld, &kind) || kind > RT_WIRE_FN_KIND_MAX)
				FAIL("bad function kind");
			break;
		case RT_WT_FN_METHODS:
			if (rt_wire_get_str(&fld, a, &fn->methods))
				FAIL("bad methods");
			break;
		case RT_WT_FN_ROUTE:
			if (rt_wire_get_str(&fld, a, &fn->route))
				FAIL("bad route");
			break;
		case RT_WT_FN_AUTH:
			if (rt_wire_get_u32(&fld, &fn->auth))
				FAIL("bad auth level");
			break;
		case RT_WT_FN_SCHEDULE:
			if (rt_wire_get_str(&fld, a, &fn->schedule))
				FAIL("bad schedule");
			break;
		case RT_WT_FN_FLAGS:
			if (rt_wire_get_u32(&fld, &fn->flags))
				FAIL("bad flags");
			break;
		}
	}
	if (rc < 0)
		FAIL("truncated function field");
	if (!fn->name || !*fn->name || kind == UINT32_MAX)
		FAIL("function without name or kind");
	fn->kind = (enum rt_wire_fn_kind)kind;
	return 0;
}

int rt_wire_registration_decode(const struct rt_wire_frame *f, struct rt_wire_registration *m,
				struct rt_arena *a, const char **err)
{
	struct rt_wire_iter it;
	struct rt_wire_field fld;
	size_t n;
	int rc;
	if (check_type(f, RT_WIRE_REGISTRATION, err) ||
	    rt_wire_count_tag(f->body, f->len, RT_WT_FUNCTION, &n, err))
		return -1;
	memset(m, 0, sizeof(*m));
	m->fns = rt_arena_calloc(a, (n ? n : 1) * sizeof(*m->fns));
	rt_wire_iter_init(&it, f->body, f->len);
	while ((rc = rt_wire_iter_next(&it, &fld)) == 1) {
		switch (fld.tag) {
		case RT_WT_NAME:
			if (rt_wire_get_str(&fld, a, &m->app))
				FAIL("bad app name");
			break;
		case RT_WT_ERROR:
			if (rt_wire_get_str(&fld, a, &m->error))
				FAIL("bad error text");
			break;
		case RT_WT_FUNCTION:
			if (decode_function(&fld, &m->fns[m->nfns], a, err))
				return -1;
			m->nfns++;
			break;
		}
	}
	if (rc < 0)
		FAIL("truncated field");
	if (!m->app)
		FAIL("registration without app name");
	return 0;
}

/* ---- HTTP ---------------------------------------------------------------- */

int rt_wire_http_request_encode(struct rt_wire_buf *b, uint64_t id,
				const struct rt_wire_http_request *m)
{
	rt_wire_begin(b, RT_WIRE_HTTP_REQUEST, id);
	rt_wire_put_str(b, RT_WT_NAME, m->name);
	rt_wire_put_str(b, RT_WT_INVOCATION, m->invocation);
	rt_wire_put_str(b, RT_WT_METHOD, m->method);
	rt_wire_put_str(b, RT_WT_URL, m->url);
	rt_wire_put_str(b, RT_WT_BASE_URL, m->base_url);
	rt_wire_put_str(b, RT_WT_PATH, m->path);
	rt_wire_put_str(b, RT_WT_QUERY, m->query);
	put_kvs(b, RT_WT_HEADER, m->headers, m->nheaders);
	put_kvs(b, RT_WT_PARAM, m->params, m->nparams);
	rt_wire_put_bytes(b, RT_WT_BODY, m->body.data, m->body.len);
	return rt_wire_end(b);
}

int rt_wire_http_request_decode(const struct rt_wire_frame *f, struct rt_wire_http_request *m,
				struct rt_arena *a, const char **err)
{
	struct rt_wire_iter it;
	struct rt_wire_field fld;
	size_t nh, np;
	int rc;
	if (check_type(f, RT_WIRE_HTTP_REQUEST, err) ||
	    rt_wire_count_tag(f->body, f->len, RT_WT_HEADER, &nh, err) ||
	    rt_wire_count_tag(f->body, f->len, RT_WT_PARAM, &np, err))
		return -1;
	memset(m, 0, sizeof(*m));
	m->headers = rt_arena_calloc(a, (nh ? nh : 1) * sizeof(*m->headers));
	m->params = rt_arena_calloc(a, (np ? np : 1) * sizeof(*m->params));
	m->body.data = "";
	rt_wire_iter_init(&it, f->body, f->len);
	while ((rc = rt_wire_iter_next(&it, &fld)) == 1) {
		const char **s = NULL;
		switch (fld.tag) {
		case RT_WT_NAME: s = &m->name; break;
		case RT_WT_INVOCATION: s = &m->invocation; break;
		case RT_WT_METHOD: s = &m->method; break;
		case RT_WT_URL: s = &m->url; break;
		case RT_WT_BASE_URL: s = &m->base_url; break;
		case RT_WT_PATH: s = &m->path; break;
		case RT_WT_QUERY: s = &m->query; break;
		case RT_WT_HEADER:
			if (get_pair(&fld, a, &m->headers[m->nheaders++], 1))
				FAIL("bad header");
			break;
		case RT_WT_PARAM:
			if (get_pair(&fld, a, &m->params[m->nparams++], 0))
				FAIL("bad route parameter");
			break;
		case RT_WT_BODY:
			get_bytes(&fld, a, &m->body);
			break;
		}
		if (s && rt_wire_get_str(&fld, a, s))
			FAIL("bad string field");
	}
	if (rc < 0)
		FAIL("truncated field");
	if (!m->name || !m->method || !m->path)
		FAIL("HTTP request without function, method or path");
	if (!m->query)
		m->query = "";
	return 0;
}

int rt_wire_http_response_encode(struct rt_wire_buf *b, uint64_t id,
				 const struct rt_wire_http_response *m)
{
	rt_wire_begin(b, RT_WIRE_HTTP_RESPONSE, id);
	rt_wire_put_u32(b, RT_WT_STATUS, m->status);
	if (m->failed)
		rt_wire_put_u32(b, RT_WT_FAILED, 1);
	rt_wire_put_str(b, RT_WT_ERROR, m->error);
	put_kvs(b, RT_WT_HEADER, m->headers, m->nheaders);
	rt_wire_put_bytes(b, RT_WT_BODY, m->body.data, m->body.len);
	return rt_wire_end(b);
}

int rt_wire_http_response_decode(const struct rt_wire_frame *f, struct rt_wire_http_response *m,
				 struct rt_arena *a, const char **err)
{
	struct rt_wire_iter it;
	struct rt_wire_field fld;
	size_t nh;
	int rc, have_status = 0;
	if (check_type(f, RT_WIRE_HTTP_RESPONSE, err) ||
	    rt_wire_count_tag(f->body, f->len, RT_WT_HEADER, &nh, err))
		return -1;
	memset(m, 0, sizeof(*m));
	m->headers = rt_arena_calloc(a, (nh ? nh : 1) * sizeof(*m->headers));
	m->body.data = "";
	rt_wire_iter_init(&it, f->body, f->len);
	while ((rc = rt_wire_iter_next(&it, &fld)) == 1) {
		switch (fld.tag) {
		case RT_WT_STATUS:
			/* The status goes into a status line as is: keep it to three digits. */
			if (rt_wire_get_u32(&fld, &m->status) || m->status < 100 || m->status > 999)
				FAIL("bad status");
			have_status = 1;
			break;
		case RT_WT_FAILED:
			if (rt_wire_get_u32(&fld, &m->failed) || m->failed > 1)
				FAIL("bad failed flag");
			break;
		case RT_WT_ERROR:
			if (rt_wire_get_str(&fld, a, &m->error))
				FAIL("bad error text");
			break;
		case RT_WT_HEADER:
			if (get_pair(&fld, a, &m->headers[m->nheaders++], 1))
				FAIL("bad header");
			break;
		case RT_WT_BODY:
			get_bytes(&fld, a, &m->body);
			break;
		}
	}
	if (rc < 0)
		FAIL("truncated field");
	if (!have_status)
		FAIL("HTTP response without status");
	return 0;
}

/* ---- ACTIVITY ------------------------------------------------------------ */

int rt_wire_activity_request_encode(struct rt_wire_buf *b, uint64_t id,
				    const struct rt_wire_activity_request *m)
{
	rt_wire_begin(b, RT_WIRE_ACTIVITY_REQUEST, id);
	rt_wire_put_str(b, RT_WT_NAME, m->name);
	rt_wire_put_str(b, RT_WT_INVOCATION, m->invocation);
	rt_wire_put_str(b, RT_WT_INSTANCE, m->instance);
	rt_wire_put_str(b, RT_WT_EXECUTION, m->execution);
	rt_wire_put_str(b, RT_WT_INPUT, m->input);
	rt_wire_put_str(b, RT_WT_KEY, m->key);
	rt_wire_put_i64(b, RT_WT_TASK, m->task);
	rt_wire_put_i64(b, RT_WT_ATTEMPT, m->attempt);
	return rt_wire_end(b);
}

int rt_wire_activity_request_decode(const struct rt_wire_frame *f,
				    struct rt_wire_activity_request *m, struct rt_arena *a,
				    const char **err)
{
	struct rt_wire_iter it;
	struct rt_wire_field fld;
	int rc;
	if (check_type(f, RT_WIRE_ACTIVITY_REQUEST, err))
		return -1;
	memset(m, 0, sizeof(*m));
	rt_wire_iter_init(&it, f->body, f->len);
	while ((rc = rt_wire_iter_next(&it, &fld)) == 1) {
		const char **s = NULL;
		int64_t *i = NULL;
		switch (fld.tag) {
		case RT_WT_NAME: s = &m->name; break;
		case RT_WT_INVOCATION: s = &m->invocation; break;
		case RT_WT_INSTANCE: s = &m->instance; break;
		case RT_WT_EXECUTION: s = &m->execution; break;
		case RT_WT_INPUT: s = &m->input; break;
		case RT_WT_KEY: s = &m->key; break;
		case RT_WT_TASK: i = &m->task; break;
		case RT_WT_ATTEMPT: i = &m->attempt; break;
		}
		if (s && rt_wire_get_str(&fld, a, s))
			FAIL("bad string field");
		if (i && rt_wire_get_i64(&fld, i))
			FAIL("bad integer field");
	}
	if (rc < 0)
		FAIL("truncated field");
	if (!m->name || !m->instance)
		FAIL("activity request without name or instance");
	if (!m->input)
		m->input = "null";
	return 0;
}

int rt_wire_activity_result_encode(struct rt_wire_buf *b, uint64_t id,
				   const struct rt_wire_activity_result *m)
{
	rt_wire_begin(b, RT_WIRE_ACTIVITY_RESULT, id);
	if (m->failed)
		rt_wire_put_u32(b, RT_WT_FAILED, 1);
	rt_wire_put_str(b, RT_WT_OUTPUT, m->output);
	rt_wire_put_str(b, RT_WT_ERROR, m->error);
	return rt_wire_end(b);
}

int rt_wire_activity_result_decode(const struct rt_wire_frame *f,
				   struct rt_wire_activity_result *m, struct rt_arena *a,
				   const char **err)
{
	struct rt_wire_iter it;
	struct rt_wire_field fld;
	int rc;
	if (check_type(f, RT_WIRE_ACTIVITY_RESULT, err))
		return -1;
	memset(m, 0, sizeof(*m));
	rt_wire_iter_init(&it, f->body, f->len);
	while ((rc = rt_wire_iter_next(&it, &fld)) == 1) {
		switch (fld.tag) {
		case RT_WT_FAILED:
			if (rt_wire_get_u32(&fld, &m->failed) || m->failed > 1)
				FAIL("bad failed flag");
			break;
		case RT_WT_OUTPUT:
			if (rt_wire_get_str(&fld, a, &m->output))
				FAIL("bad output");
			break;
		case RT_WT_ERROR:
			if (rt_wire_get_str(&fld, a, &m->error))
				FAIL("bad error text");
			break;
		}
	}
	if (rc < 0)
		FAIL("truncated field");
	if (m->failed && !m->error)
		m->error = "activity failed";
	if (!m->failed && !m->output)
		m->output = "null";
	return 0;
}

/* ---- ORCHESTRATION ------------------------------------------------------- */

int rt_wire_orch_request_encode(struct rt_wire_buf *b, uint64_t id,
				const struct rt_wire_orch_request *m)
{
	rt_wire_begin(b, RT_WIRE_ORCH_REQUEST, id);
	rt_wire_put_str(b, RT_WT_NAME, m->name);
	rt_wire_put_str(b, RT_WT_INSTANCE, m->instance);
	rt_wire_put_str(b, RT_WT_EXECUTION, m->execution);
	rt_wire_put_i64(b, RT_WT_NOW, m->now_us);
	rt_wire_put_u32(b, RT_WT_MAX_ACTIONS, m->max_actions);
	rt_wire_put_str(b, RT_WT_CUSTOM_STATUS, m->custom_status);
	if (m->past_held) {
		rt_wire_put_u32(b, RT_WT_PAST_HELD, m->past_held);
		rt_wire_put_bytes(b, RT_WT_PAST_TAIL, m->past_tail.data, m->past_tail.len);
	}
	put_list(b, RT_WT_PAST, m->past, m->npast);
	put_list(b, RT_WT_NEW, m->fresh, m->nfresh);
	return rt_wire_end(b);
}

int rt_wire_orch_request_decode(const struct rt_wire_frame *f, struct rt_wire_orch_request *m,
				struct rt_arena *a, const char **err)
{
	struct rt_wire_iter it;
	struct rt_wire_field fld;
	size_t np, nn;
	int rc;
	if (check_type(f, RT_WIRE_ORCH_REQUEST, err) ||
	    rt_wire_count_tag_max(f->body, f->len, RT_WT_PAST, RT_WIRE_MAX_EVENTS, &np, err) ||
	    rt_wire_count_tag_max(f->body, f->len, RT_WT_NEW, RT_WIRE_MAX_EVENTS, &nn, err))
		return -1;
	memset(m, 0, sizeof(*m));
	m->past = rt_arena_calloc(a, (np ? np : 1) * sizeof(*m->past));
	m->fresh = rt_arena_calloc(a, (nn ? nn : 1) * sizeof(*m->fresh));
	rt_wire_iter_init(&it, f->body, f->len);
	while ((rc = rt_wire_iter_next(&it, &fld)) == 1) {
		const char **s = NULL;
		switch (fld.tag) {
		case RT_WT_NAME: s = &m->name; break;
		case RT_WT_INSTANCE: s = &m->instance; break;
		case RT_WT_EXECUTION: s = &m->execution; break;
		case RT_WT_CUSTOM_STATUS: s = &m->custom_status; break;
		case RT_WT_PAST: get_bytes(&fld, a, &m->past[m->npast++]); break;
		case RT_WT_NEW: get_bytes(&fld, a, &m->fresh[m->nfresh++]); break;
		case RT_WT_NOW:
			if (rt_wire_get_i64(&fld, &m->now_us))
				FAIL("bad time");
			break;
		case RT_WT_MAX_ACTIONS:
			if (rt_wire_get_u32(&fld, &m->max_actions))
				FAIL("bad action limit");
			break;
		case RT_WT_PAST_HELD:
			if (rt_wire_get_u32(&fld, &m->past_held))
				FAIL("bad held count");
			break;
		case RT_WT_PAST_TAIL: get_bytes(&fld, a, &m->past_tail); break;
		}
		if (s && rt_wire_get_str(&fld, a, s))
			FAIL("bad string field");
	}
	if (rc < 0)
		FAIL("truncated field");
	if (!m->name || !m->instance)
		FAIL("orchestration request without name or instance");
	if (m->past_held && (!m->execution || !m->past_tail.data))
		FAIL("held past without execution or tail");
	return 0;
}

int rt_wire_orch_result_encode(struct rt_wire_buf *b, uint64_t id,
			       const struct rt_wire_orch_result *m)
{
	rt_wire_begin(b, RT_WIRE_ORCH_RESULT, id);
	if (!m->resend) /* a resend answer is that alone */
		rt_wire_put_u32(b, RT_WT_STATUS, m->status);
	rt_wire_put_str(b, RT_WT_OUTPUT, m->output);
	rt_wire_put_str(b, RT_WT_ERROR, m->error);
	if (m->custom_set)
		rt_wire_put_u32(b, RT_WT_CUSTOM_SET, 1);
	rt_wire_put_str(b, RT_WT_CUSTOM_STATUS, m->custom_status);
	if (m->changed)
		rt_wire_put_u32(b, RT_WT_CHANGED, 1);
	if (m->resend)
		rt_wire_put_u32(b, RT_WT_RESEND, 1);
	if (m->held)
		rt_wire_put_u32(b, RT_WT_HELD, 1);
	put_list(b, RT_WT_NEW, m->events, m->nevents);
	put_list(b, RT_WT_ACTION, m->actions, m->nactions);
	return rt_wire_end(b);
}

int rt_wire_orch_result_decode(const struct rt_wire_frame *f, struct rt_wire_orch_result *m,
			       struct rt_arena *a, const char **err)
{
	struct rt_wire_iter it;
	struct rt_wire_field fld;
	size_t na, ne;
	int rc, have_status = 0;
	if (check_type(f, RT_WIRE_ORCH_RESULT, err) ||
	    rt_wire_count_tag_max(f->body, f->len, RT_WT_ACTION, RT_WIRE_MAX_EVENTS, &na, err) ||
	    rt_wire_count_tag_max(f->body, f->len, RT_WT_NEW, RT_WIRE_MAX_EVENTS, &ne, err))
		return -1;
	memset(m, 0, sizeof(*m));
	m->actions = rt_arena_calloc(a, (na ? na : 1) * sizeof(*m->actions));
	m->events = rt_arena_calloc(a, (ne ? ne : 1) * sizeof(*m->events));
	rt_wire_iter_init(&it, f->body, f->len);
	while ((rc = rt_wire_iter_next(&it, &fld)) == 1) {
		const char **s = NULL;
		uint32_t *u = NULL;
		switch (fld.tag) {
		case RT_WT_STATUS:
			/* Only the statuses an episode can leave behind. */
			if (rt_wire_get_u32(&fld, &m->status) || m->status > 7 || m->status == 4 ||
			    m->status == 6)
				FAIL("bad status");
			have_status = 1;
			break;
		case RT_WT_OUTPUT: s = &m->output; break;
		case RT_WT_ERROR: s = &m->error; break;
		case RT_WT_CUSTOM_STATUS: s = &m->custom_status; break;
		case RT_WT_CUSTOM_SET: u = &m->custom_set; break;
		case RT_WT_CHANGED: u = &m->changed; break;
		case RT_WT_RESEND: u = &m->resend; break;
		case RT_WT_HELD: u = &m->held; break;
		case RT_WT_NEW: get_bytes(&fld, a, &m->events[m->nevents++]); break;
		case RT_WT_ACTION: get_bytes(&fld, a, &m->actions[m->nactions++]); break;
		}
		if (s && rt_wire_get_str(&fld, a, s))
			FAIL("bad string field");
		if (u && (rt_wire_get_u32(&fld, u) || *u > 1))
			FAIL("bad flag");
	}
	if (rc < 0)
		FAIL("truncated field");
	if (!have_status && !m->error && !m->resend)
		FAIL("orchestration result without status");
	if (m->resend && (have_status || m->error || m->held || m->nevents || m->nactions))
		FAIL("a resend answer with a result");
	return 0;
}

/* ---- CLIENT, LOG --------------------------------------------------------- */

int rt_wire_client_call_encode(struct rt_wire_buf *b, uint64_t id,
			       const struct rt_wire_client_call *m)
{
	rt_wire_begin(b, RT_WIRE_CLIENT_CALL, id);
	rt_wire_put_str(b, RT_WT_OP, m->op);
	rt_wire_put_str(b, RT_WT_ARGS, m->args);
	return rt_wire_end(b);
}

int rt_wire_client_call_decode(const struct rt_wire_frame *f, struct rt_wire_client_call *m,
			       struct rt_arena *a, const char **err)
{
	struct rt_wire_iter it;
	struct rt_wire_field fld;
	int rc;
	if (check_type(f, RT_WIRE_CLIENT_CALL, err))
		return -1;
	memset(m, 0, sizeof(*m));
	rt_wire_iter_init(&it, f->body, f->len);
	while ((rc = rt_wire_iter_next(&it, &fld)) == 1) {
		const char **s = fld.tag == RT_WT_OP ? &m->op : fld.tag == RT_WT_ARGS ? &m->args : NULL;
		if (s && rt_wire_get_str(&fld, a, s))
			FAIL("bad string field");
	}
	if (rc < 0)
		FAIL("truncated field");
	if (!m->op || !*m->op)
		FAIL("client call without operation");
	if (!m->args)
		m->args = "{}";
	return 0;
}

int rt_wire_client_reply_encode(struct rt_wire_buf *b, uint64_t id,
				const struct rt_wire_client_reply *m)
{
	rt_wire_begin(b, RT_WIRE_CLIENT_REPLY, id);
	rt_wire_put_u32(b, RT_WT_STATUS, m->status);
	rt_wire_put_str(b, RT_WT_OUTPUT, m->output);
	return rt_wire_end(b);
}

int rt_wire_client_reply_decode(const struct rt_wire_frame *f, struct rt_wire_client_reply *m,
				struct rt_arena *a, const char **err)
{
	struct rt_wire_iter it;
	struct rt_wire_field fld;
	int rc, have_status = 0;
	if (check_type(f, RT_WIRE_CLIENT_REPLY, err))
		return -1;
	memset(m, 0, sizeof(*m));
	rt_wire_iter_init(&it, f->body, f->len);
	while ((rc = rt_wire_iter_next(&it, &fld)) == 1) {
		if (fld.tag == RT_WT_STATUS) {
			if (rt_wire_get_u32(&fld, &m->status) || m->status < 100 || m->status > 999)
				FAIL("bad status");
			have_status = 1;
		} else if (fld.tag == RT_WT_OUTPUT && rt_wire_get_str(&fld, a, &m->output)) {
			FAIL("bad output");
		}
	}
	if (rc < 0)
		FAIL("truncated field");
	if (!have_status)
		FAIL("client reply without status");
	return 0;
}

int rt_wire_log_encode(struct rt_wire_buf *b, const struct rt_wire_log *m)
{
	rt_wire_begin(b, RT_WIRE_LOG, 0);
	rt_wire_put_str(b, RT_WT_CATEGORY, m->category);
	rt_wire_put_u32(b, RT_WT_LEVEL, m->level);
	rt_wire_put_str(b, RT_WT_TEXT, m->text);
	return rt_wire_end(b);
}

int rt_wire_log_decode(const struct rt_wire_frame *f, struct rt_wire_log *m, struct rt_arena *a,
		       const char **err)
{
	struct rt_wire_iter it;
	struct rt_wire_field fld;
	int rc;
	if (check_type(f, RT_WIRE_LOG, err))
		return -1;
	memset(m, 0, sizeof(*m));
	m->level = 2;
	rt_wire_iter_init(&it, f->body, f->len);
	while ((rc = rt_wire_iter_next(&it, &fld)) == 1) {
		switch (fld.tag) {
		case RT_WT_CATEGORY:
			if (rt_wire_get_str(&fld, a, &m->category))
				FAIL("bad category");
			break;
		case RT_WT_LEVEL:
			if (rt_wire_get_u32(&fld, &m->level) || m->level > 6)
				FAIL("bad level");
			break;
		case RT_WT_TEXT:
			if (rt_wire_get_str(&fld, a, &m->text))
				FAIL("bad text");
			break;
		}
	}
	if (rc < 0)
		FAIL("truncated field");
	if (!m->text)
		FAIL("log line without text");
	if (!m->category)
		m->category = "Function";
	return 0;
}

/* ---- TIMER --------------------------------------------------------------- */

int rt_wire_timer_request_encode(struct rt_wire_buf *b, uint64_t id,
				 const struct rt_wire_timer_request *m)
{
	rt_wire_begin(b, RT_WIRE_TIMER_REQUEST, id);
	rt_wire_put_str(b, RT_WT_NAME, m->name);
	rt_wire_put_str(b, RT_WT_INVOCATION, m->invocation);
	rt_wire_put_str(b, RT_WT_INPUT, m->info);
	return rt_wire_end(b);
}

int rt_wire_timer_request_decode(const struct rt_wire_frame *f, struct rt_wire_timer_request *m,
				 struct rt_arena *a, const char **err)
{
	struct rt_wire_iter it;
	struct rt_wire_field fld;
	int rc;
	if (check_type(f, RT_WIRE_TIMER_REQUEST, err))
		return -1;
	memset(m, 0, sizeof(*m));
	rt_wire_iter_init(&it, f->body, f->len);
	while ((rc = rt_wire_iter_next(&it, &fld)) == 1) {
		const char **dst = fld.tag == RT_WT_NAME	 ? &m->name
				   : fld.tag == RT_WT_INVOCATION ? &m->invocation
				   : fld.tag == RT_WT_INPUT	 ? &m->info
								 : NULL;
		if (dst && rt_wire_get_str(&fld, a, dst))
			FAIL("bad timer request field");
	}
	if (rc < 0)
		FAIL("truncated field");
	if (!m->name || !m->info)
		FAIL("timer request without name or TimerInfo");
	if (!m->invocation)
		m->invocation = "";
	return 0;
}

int rt_wire_timer_result_encode(struct rt_wire_buf *b, uint64_t id,
				const struct rt_wire_timer_result *m)
{
	rt_wire_begin(b, RT_WIRE_TIMER_RESULT, id);
	if (m->failed)
		rt_wire_put_u32(b, RT_WT_FAILED, 1);
	rt_wire_put_str(b, RT_WT_ERROR, m->error);
	return rt_wire_end(b);
}

int rt_wire_timer_result_decode(const struct rt_wire_frame *f, struct rt_wire_timer_result *m,
				struct rt_arena *a, const char **err)
{
	struct rt_wire_iter it;
	struct rt_wire_field fld;
	int rc;
	if (check_type(f, RT_WIRE_TIMER_RESULT, err))
		return -1;
	memset(m, 0, sizeof(*m));
	rt_wire_iter_init(&it, f->body, f->len);
	while ((rc = rt_wire_iter_next(&it, &fld)) == 1) {
		if (fld.tag == RT_WT_FAILED &&
		    (rt_wire_get_u32(&fld, &m->failed) || m->failed > 1))
			FAIL("bad failed flag");
		if (fld.tag == RT_WT_ERROR && rt_wire_get_str(&fld, a, &m->error))
			FAIL("bad error text");
	}
	if (rc < 0)
		FAIL("truncated field");
	if (m->failed && !m->error)
		m->error = "the function returned an error";
	return 0;
}

int rt_wire_decode_any(const struct rt_wire_frame *f, struct rt_arena *a, const char **err)
{
	union {
		struct rt_wire_hello hello;
		struct rt_wire_registration reg;
		struct rt_wire_http_request hreq;
		struct rt_wire_http_response hres;
		struct rt_wire_activity_request areq;
		struct rt_wire_activity_result ares;
		struct rt_wire_orch_request oreq;
		struct rt_wire_orch_result ores;
		struct rt_wire_client_call call;
		struct rt_wire_client_reply reply;
		struct rt_wire_log log;
		struct rt_wire_timer_request treq;
		struct rt_wire_timer_result tres;
		struct rt_wire_entity_request ereq;
		struct rt_wire_entity_result eres;
	} m;
	switch (f->type) {
	case RT_WIRE_HELLO: return rt_wire_hello_decode(f, &m.hello, a, err);
	case RT_WIRE_REGISTRATION: return rt_wire_registration_decode(f, &m.reg, a, err);
	case RT_WIRE_HTTP_REQUEST: return rt_wire_http_request_decode(f, &m.hreq, a, err);
	case RT_WIRE_HTTP_RESPONSE: return rt_wire_http_response_decode(f, &m.hres, a, err);
	case RT_WIRE_ACTIVITY_REQUEST: return rt_wire_activity_request_decode(f, &m.areq, a, err);
	case RT_WIRE_ACTIVITY_RESULT: return rt_wire_activity_result_decode(f, &m.ares, a, err);
	case RT_WIRE_ORCH_REQUEST: return rt_wire_orch_request_decode(f, &m.oreq, a, err);
	case RT_WIRE_ORCH_RESULT: return rt_wire_orch_result_decode(f, &m.ores, a, err);
	case RT_WIRE_CLIENT_CALL: return rt_wire_client_call_decode(f, &m.call, a, err);
	case RT_WIRE_CLIENT_REPLY: return rt_wire_client_reply_decode(f, &m.reply, a, err);
	case RT_WIRE_LOG: return rt_wire_log_decode(f, &m.log, a, err);
	case RT_WIRE_SHUTDOWN: return 0;
	case RT_WIRE_TIMER_REQUEST: return rt_wire_timer_request_decode(f, &m.treq, a, err);
	case RT_WIRE_TIMER_RESULT: return rt_wire_timer_result_decode(f, &m.tres, a, err);
	case RT_WIRE_ENTITY_REQUEST: return rt_wire_entity_request_decode(f, &m.ereq, a, err);
	case RT_WIRE_ENTITY_RESULT: return rt_wire_entity_result_decode(f, &m.eres, a, err);
	}
	*err = "unknown frame type";
	return -1;
}
