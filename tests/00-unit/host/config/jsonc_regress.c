/*
 * jsonc_regress.c - inputs the fuzzer (fuzz/jsonc.c, fuzz/config.c) found,
 * kept as regression tests.
 */
#include "host/config/jsonc.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

/*
 * Crash 1 (invariant "errors are one line"): jansson quotes the token it
 * stopped at, raw control characters included, so an unterminated string
 * ending in a backslash and a newline gave a two-line start-up error.
 * Input: build/fuzz/artifacts/jsonc-crash-9ccf63df...
 */
static void test_one_line_errors(void)
{
	static const char crash[] = "{\"\\\\\\\\\\\\\\\n// tra\n// trai{";
	static const char newline_key[] = "{\"a\nb\":1}";
	static const char tab_key[] = "{\"a\tb\":1}";
	static const char ctl_key[] = "{\"a\001b\":1}";
	json_t *v = NULL;
	char *err = NULL;

	is_int(host_jsonc_parse(crash, sizeof(crash) - 1, "/p/host.json", "Unable", &v, &err), -1,
	       "the fuzzed input is refused");
	ok(err && !strchr(err, '\n') && !strchr(err, '\r'), "its error is one line");
	ok(err && strncmp(err, "Unable '/p/host.json': line 2, column 1: invalid escape near '",
			  62) == 0,
	   "with the position and jansson's reason");
	ok(err && strstr(err, "\\n'"), "the newline shown as \\n");
	ok(v == NULL, "no value");
	free(err);

	err = NULL;
	is_int(host_jsonc_parse(newline_key, sizeof(newline_key) - 1, "/p", "U", &v, &err), -1,
	       "newline in a string");
	is_str(err, "U '/p': line 1, column 3: unexpected newline near '\"a'",
	       "error unchanged when jansson quotes no control character");
	free(err);

	err = NULL;
	host_jsonc_parse(tab_key, sizeof(tab_key) - 1, "/p", "U", &v, &err);
	ok(err && !strchr(err, '\t'), "a tab is escaped too: %s", err ? err : "(null)");
	free(err);

	err = NULL;
	host_jsonc_parse(ctl_key, sizeof(ctl_key) - 1, "/p", "U", &v, &err);
	ok(err && !strchr(err, '\001'), "other control characters as \\xNN: %s",
	   err ? err : "(null)");
	free(err);
}

int main(void)
{
	subtest("parse errors stay on one line", test_one_line_errors);
	return done_testing();
}
