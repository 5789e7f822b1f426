#include "runtime/json_text.h"
#include "common/json_check.h"

#include <string.h>

int rt_json_text_ok(const char *text)
{
	/* The depth jansson allows: the bindings read these texts with it. */
	return !text || rt_json_check(text, strlen(text), RT_JSON_JANSSON_DEPTH);
}
