/*
 * jsonc.c - comment stripping in front of jansson.
 *
 * strip() copies the input, replacing every comment character by one space
 * and keeping newlines, so positions jansson reports are positions in the
 * user's file. jansson counts columns in characters (UTF-8 lead bytes), so
 * a multi-byte character inside a comment becomes a single space. The same
 * pass tracks nesting depth outside strings and comments, so a file nested
 * too deeply is refused with the position of the offending bracket before
 * jansson's recursive parser ever sees it.
 */
#include "host/config/jsonc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "common/xalloc.h"

/* Position in the original text, 1-based, as jansson reports it. */
struct pos {
	int line;
	int column;
};

static int utf8_lead(unsigned char c)
{
	return (c & 0xC0) != 0x80;
}

static void advance(struct pos *p, unsigned char c)
{
	if (c == '\n') {
		p->line++;
		p->column = 0;
	} else if (utf8_lead(c)) {
		p->column++;
	}
}

/* Emits one space per character of a comment; newlines stay newlines. */
static void blank(char *out, size_t *o, unsigned char c)
{
	if (c == '\n')
		out[(*o)++] = '\n';
	else if (utf8_lead(c))
		out[(*o)++] = ' ';
}

static char *parse_error(const char *prefix, const char *path, int line, int column,
			 const char *reason)
{
	/* jansson quotes the offending token ("invalid escape near '"\\<LF>'"),
	 * raw control characters included: escape them so the error stays one line. */
	char clean[4 * JSON_ERROR_TEXT_LENGTH + 1];
	size_t n = 0;

	for (const char *r = reason; *r && n + 4 < sizeof(clean); r++) {
		unsigned char c = (unsigned char)*r;
		if (c == '\n' || c == '\r' || c == '\t') {
			clean[n++] = '\\';
			clean[n++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
		} else if (c < 0x20 || c == 0x7f) {
			n += (size_t)snprintf(clean + n, sizeof(clean) - n, "\\x%02x", c);
		} else {
			clean[n++] = (char)c;
		}
	}
	clean[n] = '\0';
	/* jansson says column 0 at the end of an empty line; editors start at 1. */
	if (line < 1)
		line = 1;
	if (column < 1)
		column = 1;
	return xasprintf("%s '%s': line %d, column %d: %s", prefix, path, line, column, clean);
}

/*
 * Writes the comment-free text to out (at most len bytes) and its length to
 * *out_len. Returns 0, or -1 with *err for an unterminated block comment or
 * too deep nesting.
 */
static int strip(const char *in, size_t len, char *out, size_t *out_len, const char *path,
		 const char *prefix, char **err)
{
	enum { CODE, STRING, LINE_COMMENT, BLOCK_COMMENT } state = CODE;
	struct pos p = { 1, 0 }, comment_start = { 0, 0 };
	size_t i = 0, o = 0;
	int depth = 0, escaped = 0;

	while (i < len) {
		unsigned char c = (unsigned char)in[i];

		switch (state) {
		case CODE:
			if (c == '/' && i + 1 < len && (in[i + 1] == '/' || in[i + 1] == '*')) {
				state = in[i + 1] == '/' ? LINE_COMMENT : BLOCK_COMMENT;
				comment_start = p;
				comment_start.column++;
				out[o++] = ' ';
				out[o++] = ' ';
				advance(&p, c);
				advance(&p, (unsigned char)in[i + 1]);
				i += 2;
				continue;
			}
			if (c == '"') {
				state = STRING;
				escaped = 0;
			} else if (c == '{' || c == '[') {
				if (++depth > HOST_JSONC_MAX_DEPTH) {
					char reason[64];
					snprintf(reason, sizeof(reason), "nesting deeper than %d levels",
						 HOST_JSONC_MAX_DEPTH);
					*err = parse_error(prefix, path, p.line, p.column + 1, reason);
					return -1;
				}
			} else if ((c == '}' || c == ']') && depth > 0) {
				depth--;
			}
			out[o++] = (char)c;
			break;
		case STRING:
			/* Comment markers inside strings are text. */
			if (escaped)
				escaped = 0;
			else if (c == '\\')
				escaped = 1;
			else if (c == '"')
				state = CODE;
			out[o++] = (char)c;
			break;
		case LINE_COMMENT:
			if (c == '\n')
				state = CODE;
			blank(out, &o, c);
			break;
		case BLOCK_COMMENT:
			if (c == '*' && i + 1 < len && in[i + 1] == '/') {
				out[o++] = ' ';
				out[o++] = ' ';
				advance(&p, c);
				advance(&p, '/');
				i += 2;
				state = CODE;
				continue;
			}
			blank(out, &o, c);
			break;
		}
		advance(&p, c);
		i++;
	}
	if (state == BLOCK_COMMENT) {
		*err = parse_error(prefix, path, comment_start.line, comment_start.column,
				   "unterminated /* comment");
		return -1;
	}
	*out_len = o;
	return 0;
}

/* Position of the first non-blank character, for "not an object" errors. */
static struct pos first_token(const char *s, size_t len)
{
	struct pos p = { 1, 0 };
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		advance(&p, c);
	}
	p.column++;
	return p;
}

int host_jsonc_parse(const char *buf, size_t len, const char *path, const char *prefix,
		     json_t **out, char **err)
{
	json_error_t jerr;
	json_t *root;
	size_t n = 0;
	char *text;

	*out = NULL;
	*err = NULL;
	/* Windows editors write a BOM; .NET's File.ReadAllText drops it too. */
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	text = xmalloc(len + 1);
	if (strip(buf, len, text, &n, path, prefix, err) < 0) {
		free(text);
		return -1;
	}
	root = json_loadb(text, n, JSON_DECODE_ANY, &jerr);
	if (!root) {
		*err = parse_error(prefix, path, jerr.line, jerr.column, jerr.text);
		free(text);
		return -1;
	}
	if (!json_is_object(root)) {
		struct pos p = first_token(text, n);
		*err = parse_error(prefix, path, p.line, p.column,
				   "the top-level value must be an object");
		json_decref(root);
		free(text);
		return -1;
	}
	free(text);
	*out = root;
	return 0;
}

int host_jsonc_load(const char *path, const char *prefix, json_t **out, char **err)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f;
	int rc = -1;

	*out = NULL;
	*err = NULL;
	f = fopen(path, "rb");
	if (!f) {
		if (errno == ENOENT)
			return HOST_JSONC_MISSING;
		*err = xasprintf("%s '%s': %s", prefix, path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		*err = xasprintf("%s '%s': %s", prefix, path, strerror(EISDIR));
		goto out_close;
	}
	/* Read at most one byte past the limit: st_size lies for pipes and /proc. */
	for (;;) {
		size_t got;
		if (len == cap) {
			cap = cap ? cap * 2 : 16384;
			if (cap > HOST_JSONC_MAX_BYTES + 1)
				cap = HOST_JSONC_MAX_BYTES + 1;
			buf = xrealloc(buf, cap);
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (len > HOST_JSONC_MAX_BYTES) {
			*err = xasprintf("%s '%s': the file is larger than %u bytes", prefix, path,
					 HOST_JSONC_MAX_BYTES);
			goto out_free;
		}
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		*err = xasprintf("%s '%s': %s", prefix, path, strerror(errno ? errno : EIO));
		goto out_free;
	}
	rc = host_jsonc_parse(buf ? buf : "", len, path, prefix, out, err);
out_free:
	free(buf);
out_close:
	fclose(f);
	return rc;
}

json_t *host_jsonc_get(const json_t *obj, const char *key, const char **found_key)
{
	const char *k, *match_key = NULL;
	json_t *v, *match = NULL;

	if (!json_is_object(obj))
		return NULL;
	/* jansson iterates in insertion order, so the last match is the later key. */
	json_object_foreach((json_t *)obj, k, v) {
		if (strcasecmp(k, key) == 0) {
			match = v;
			match_key = k;
		}
	}
	if (found_key)
		*found_key = match_key;
	return match;
}
