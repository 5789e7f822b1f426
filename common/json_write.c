/*
 * json_write.c - see json_write.h. The buffer grows by doubling inside the
 * arena; the old copies go with the arena, at most as much again as the
 * text.
 */
#include "common/json_write.h"
#include "common/json_quote.h"
#include "common/utf8.h"

#include <stdio.h>
#include <string.h>

void rt_json_write_init(struct rt_json_writer *w, struct rt_arena *a)
{
	memset(w, 0, sizeof(*w));
	w->arena = a;
	w->cap = 64;
	w->buf = rt_arena_alloc(a, w->cap);
	w->buf[0] = '\0';
}

static char *room(struct rt_json_writer *w, size_t n)
{
	if (w->len + n + 1 > w->cap) {
		size_t cap = w->cap;
		while (w->len + n + 1 > cap)
			cap *= 2;
		char *b = rt_arena_alloc(w->arena, cap);
		memcpy(b, w->buf, w->len + 1);
		w->buf = b;
		w->cap = cap;
	}
	return w->buf + w->len;
}

static void put(struct rt_json_writer *w, const char *s, size_t n)
{
	memcpy(room(w, n), s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

/* The comma and the pending key before a value. */
static void begin_value(struct rt_json_writer *w)
{
	if (w->need_comma)
		put(w, ",", 1);
	if (w->key) {
		put(w, "\"", 1);
		put(w, w->key, strlen(w->key));
		put(w, "\":", 2);
		w->key = NULL;
	}
}

void rt_json_write_key(struct rt_json_writer *w, const char *key)
{
	w->key = key;
}

void rt_json_write_open_object(struct rt_json_writer *w)
{
	begin_value(w);
	put(w, "{", 1);
	w->need_comma = 0;
}

void rt_json_write_open_array(struct rt_json_writer *w)
{
	begin_value(w);
	put(w, "[", 1);
	w->need_comma = 0;
}

void rt_json_write_close_object(struct rt_json_writer *w)
{
	w->key = NULL;
	put(w, "}", 1);
	w->need_comma = 1;
}

void rt_json_write_close_array(struct rt_json_writer *w)
{
	w->key = NULL;
	put(w, "]", 1);
	w->need_comma = 1;
}

static void scalar(struct rt_json_writer *w, const char *text, size_t n)
{
	begin_value(w);
	put(w, text, n);
	w->need_comma = 1;
}

void rt_json_write_int(struct rt_json_writer *w, long long v)
{
	char t[24];
	int n = snprintf(t, sizeof(t), "%lld", v);
	scalar(w, t, (size_t)n);
}

void rt_json_write_bool(struct rt_json_writer *w, int v)
{
	if (v)
		scalar(w, "true", 4);
	else
		scalar(w, "false", 5);
}

void rt_json_write_null(struct rt_json_writer *w)
{
	scalar(w, "null", 4);
}

void rt_json_write_string(struct rt_json_writer *w, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	if (!s || !rt_utf8_valid(s)) {
		w->key = NULL;
		return;
	}
	size_t n = strlen(s), need = 2;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		need += rt_json_short_escape(c) ? 2 : c < 0x20 ? 6 : 1;
	}
	begin_value(w);
	char *q = room(w, need), *start = q;
	*q++ = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char e = rt_json_short_escape(c);
		if (e) {
			*q++ = '\\';
			*q++ = e;
		} else if (c < 0x20) {
			memcpy(q, "\\u00", 4);
			q[4] = hex[c >> 4];
			q[5] = hex[c & 15];
			q += 6;
		} else {
			*q++ = (char)c;
		}
	}
	*q++ = '"';
	w->len += (size_t)(q - start);
	w->buf[w->len] = '\0';
	w->need_comma = 1;
}

const char *rt_json_write_text(const struct rt_json_writer *w)
{
	return w->buf;
}
