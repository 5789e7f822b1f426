/*
 * cli_durable_table.c - the human-readable output of `cfunc durable`:
 * aligned columns, one value per cell, long JSON cut so a row stays a line.
 */
#include "host/cli/cli_durable.h"
#include "common/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dtable_init(struct dtable *t, size_t ncols, const char *const *headers)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	if (headers)
		dtable_add(t, headers);
}

void dtable_add(struct dtable *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->cells = xrealloc(t->cells, t->cap * t->ncols * sizeof(char *));
	}
	for (size_t c = 0; c < t->ncols; c++)
		t->cells[t->nrows * t->ncols + c] = xstrdup(cells[c] ? cells[c] : "");
	t->nrows++;
}

/* Display width: UTF-8 continuation bytes take no column. */
static size_t width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

void dtable_print(const struct dtable *t, FILE *out)
{
	size_t *w = xcalloc(t->ncols, sizeof(size_t));
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			size_t n = width(t->cells[r * t->ncols + c]);
			if (n > w[c])
				w[c] = n;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * t->ncols + c];
			fputs(cell, out);
			if (c + 1 < t->ncols)
				fprintf(out, "%*s", (int)(w[c] - width(cell) + 2), "");
		}
		fputc('\n', out);
	}
	free(w);
}

void dtable_free(struct dtable *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

char *dtable_cell(const json_t *v, size_t max)
{
	char *s;
	if (!v || json_is_null(v))
		return xstrdup("");
	s = json_is_string(v) ? xstrdup(json_string_value(v)) : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!s)
		return xstrdup("");
	for (char *p = s; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	if (max && strlen(s) > max) {
		size_t cut = max;
		while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
			cut--;
		s = xrealloc(s, cut + 4);
		memcpy(s + cut, "\xe2\x80\xa6", 4);
	}
	return s;
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

void dtable_print_status(const json_t *st, int input, int output, FILE *out)
{
	struct dtable t;
	char *in = dtable_cell(json_object_get(st, "input"), 0);
	char *outv = dtable_cell(json_object_get(st, "output"), 0);
	char *custom = dtable_cell(json_object_get(st, "customStatus"), 0);
	const char *rows[][2] = {
		{"Name", str(st, "name")},
		{"Instance ID", str(st, "instanceId")},
		{"Runtime status", str(st, "runtimeStatus")},
		{"Created", str(st, "createdTime")},
		{"Last updated", str(st, "lastUpdatedTime")},
		{"Custom status", custom},
		{"Input", in},
		{"Output", outv},
	};
	size_t n = 6 + (input ? 1 : 0);
	dtable_init(&t, 2, NULL); /* key/value lines, no header */
	for (size_t i = 0; i < n; i++)
		dtable_add(&t, rows[i]);
	if (output)
		dtable_add(&t, rows[7]);
	dtable_print(&t, out);
	dtable_free(&t);
	free(in);
	free(outv);
	free(custom);
}

void dtable_print_instances(const json_t *arr, FILE *out)
{
	static const char *const head[] = {"INSTANCE ID", "NAME", "STATUS", "CREATED", "LAST UPDATED"};
	struct dtable t;
	size_t i;
	json_t *v;
	dtable_init(&t, 5, head);
	json_array_foreach(arr, i, v) {
		const char *row[] = {str(v, "instanceId"), str(v, "name"), str(v, "runtimeStatus"),
				     str(v, "createdTime"), str(v, "lastUpdatedTime")};
		dtable_add(&t, row);
	}
	dtable_print(&t, out);
	dtable_free(&t);
}

void dtable_print_history(const json_t *events, FILE *out)
{
	static const char *const head[] = {"TIMESTAMP", "EVENT TYPE", "NAME", "DETAIL"};
	static const char *const detail_keys[] = {"Result", "Input", "Reason", "Details",
						  "FireAt", "ScheduledTime", "OrchestrationStatus"};
	struct dtable t;
	size_t i;
	json_t *v;
	dtable_init(&t, 4, head);
	json_array_foreach(events, i, v) {
		char *detail = NULL;
		const char *name = str(v, "FunctionName");
		if (!*name)
			name = str(v, "Name");
		for (size_t k = 0; k < sizeof(detail_keys) / sizeof(detail_keys[0]) && !detail; k++) {
			json_t *d = json_object_get(v, detail_keys[k]);
			if (d && !json_is_null(d)) {
				char *c = dtable_cell(d, 60);
				detail = xasprintf("%s: %s", detail_keys[k], c);
				free(c);
			}
		}
		const char *row[] = {str(v, "Timestamp"), str(v, "EventType"), name, detail};
		dtable_add(&t, row);
		free(detail);
	}
	dtable_print(&t, out);
	dtable_free(&t);
}
