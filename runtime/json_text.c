#include "runtime/json_text.h"

#include <jansson.h>

int rt_json_text_ok(const char *text)
{
	json_error_t jerr;
	json_t *v;
	if (!text)
		return 1;
	v = json_loads(text, JSON_DECODE_ANY, &jerr);
	json_decref(v);
	return v != NULL;
}
