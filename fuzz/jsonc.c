/*
 * fuzz/jsonc.c - libFuzzer target for host/config/jsonc.h (JSON with comments,
 * line/column errors, depth and size limits) and bindings/json_util.h.
 *
 * Invariants:
 *  - host_jsonc_parse: 0 with an object and no error, or -1 with no value
 *    and one error line "<prefix> '<path>': line L, column C: reason" (L, C
 *    >= 1); a parsed object dumps to valid JSON that parses back equal, and
 *    every key is found again by host_jsonc_get in any case;
 *  - bind_json_valid_n(buf) == bind_json_valid(copy) when there is no NUL;
 *  - bind_json_payload() never fails; bind_json_dump() of any value it
 *    gives is valid JSON and reads back (as a payload) as an equal value.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bindings/json_util.h"
#include "host/config/jsonc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PREFIX "Unable to parse host configuration file"
#define PATH "/fuzz/host.json"

static void check_dump(const json_t *v)
{
	char *text = bind_json_dump(v);
	json_error_t jerr;
	json_t *back;

	if (!text || !bind_json_valid(text))
		abort();
	back = json_loads(text, JSON_DECODE_ANY, &jerr);
	if (!back || !json_equal(back, (json_t *)v))
		abort();
	json_decref(back);
	back = bind_json_payload(text);
	if (!back || !json_equal(back, (json_t *)v))
		abort();
	json_decref(back);
	free(text);
}

static void check_jsonc(const char *buf, size_t size)
{
	json_t *obj = (json_t *)1;
	char *err = (char *)1;
	int rc = host_jsonc_parse(buf, size, PATH, PREFIX, &obj, &err);

	if (rc == 0) {
		const char *key;
		json_t *val;
		if (!obj || !json_is_object(obj) || err)
			abort();
		check_dump(obj);
		json_object_foreach(obj, key, val) {
			char up[64];
			const char *found = NULL;
			size_t n = strlen(key);
			if (n >= sizeof(up))
				continue;
			for (size_t i = 0; i <= n; i++)
				up[i] = (char)toupper((unsigned char)key[i]);
			/* A later key differing only in case wins: the found value is
			 * one of the object's values, its key equal ignoring case. */
			if (!host_jsonc_get(obj, up, &found) || !found || strcasecmp(found, key) != 0)
				abort();
		}
		json_decref(obj);
	} else {
		int line = 0, column = 0, off = 0;
		if (rc != -1 || obj || !err)
			abort();
		if (strncmp(err, PREFIX " '" PATH "': ", sizeof(PREFIX " '" PATH "': ") - 1) != 0)
			abort();
		if (sscanf(err + sizeof(PREFIX " '" PATH "': ") - 1, "line %d, column %d: %n", &line,
			   &column, &off) != 2 ||
		    off == 0 || line < 1 || column < 1)
			abort();
		if (strchr(err, '\n'))
			abort(); /* errors are one line */
		free(err);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	char *z;
	json_t *v;

	check_jsonc(in, size);

	z = malloc(size + 1);
	memcpy(z, in, size);
	z[size] = '\0';
	if (!memchr(in, '\0', size) && bind_json_valid_n(in, size) != bind_json_valid(z))
		abort();
	v = bind_json_payload(z);
	if (!v)
		abort();
	check_dump(v);
	json_decref(v);
	free(z);
	return 0;
}
