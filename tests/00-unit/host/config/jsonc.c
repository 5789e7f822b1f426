/*
 * tests/00-unit/host/jsonc.c - comments, error positions and limits of the
 * JSON-with-comments loader. Fixture files go into a mkdtemp() directory
 * that is removed at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "host/config/jsonc.h"
#include "tap.h"
#include "common/xalloc.h"

#define PFX "Unable to parse host configuration file"

static char dir[] = "/tmp/cfunc-jsonc-XXXXXX";

/* Parses a string; returns the object (or NULL) and leaves the error in *err. */
static json_t *parse(const char *text, char **err)
{
	json_t *root = NULL;

	free(*err);
	*err = NULL;
	host_jsonc_parse(text, strlen(text), "t.json", PFX, &root, err);
	return root;
}

static char *write_file(const char *name, const char *data, size_t len)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(2);
	}
	return path;
}

static void test_comments(void)
{
	char *err = NULL;
	json_t *j;

	j = parse("// leading\n{\n  \"a\": 1, // trailing\n  /* block\n  spanning */ \"b\": "
		  "/* inline */ 2\n}\n// last line without newline",
		  &err);
	ok(j != NULL, "line and block comments are skipped");
	is_int(json_integer_value(json_object_get(j, "a")), 1, "value before a comment");
	is_int(json_integer_value(json_object_get(j, "b")), 2, "value after a block comment");
	json_decref(j);

	j = parse("{\"url\": \"http://x/y\", \"c\": \"/* not */ // either\", \"q\": \"a\\\"//b\"}",
		  &err);
	ok(j != NULL, "comment markers inside strings");
	is_str(json_string_value(json_object_get(j, "url")), "http://x/y", "// inside a string");
	is_str(json_string_value(json_object_get(j, "c")), "/* not */ // either",
	       "/* */ inside a string");
	is_str(json_string_value(json_object_get(j, "q")), "a\"//b", "escaped quote then //");
	json_decref(j);

	j = parse("{\"a\": 1 /**/, \"b\": 2/***/}", &err);
	ok(j != NULL, "empty block comments");
	json_decref(j);

	j = parse("\xEF\xBB\xBF{\"a\": 1}", &err);
	ok(j != NULL, "a UTF-8 BOM is skipped");
	json_decref(j);
	free(err);
}

static void test_errors(void)
{
	char *err = NULL;
	json_t *j;

	j = parse("{\n  // comment\n  \"a\": 1,\n  \"b\": ]\n}", &err);
	ok(j == NULL, "broken JSON fails");
	is_str(err,
	       "Unable to parse host configuration file 't.json': line 4, column 8: unexpected "
	       "token near ']'",
	       "exact line and column after a comment");

	/* A multi-byte character in a comment counts as one column, as jansson counts. */
	j = parse("{/* \xc3\xa9\xc3\xa9 */\"a\" 1}", &err);
	is_str(err,
	       "Unable to parse host configuration file 't.json': line 1, column 14: ':' expected "
	       "near '1'",
	       "column counts characters through a comment");

	j = parse("{\"a\": 1,}", &err);
	ok(j == NULL && err && strstr(err, "line 1, column 9"), "trailing comma rejected: %s",
	   err);

	j = parse("{\"a\": 1}\n/* open\n comment", &err);
	is_str(err,
	       "Unable to parse host configuration file 't.json': line 2, column 1: unterminated "
	       "/* comment",
	       "unterminated block comment points at its start");

	j = parse("\n  [1, 2]", &err);
	is_str(err,
	       "Unable to parse host configuration file 't.json': line 2, column 3: the top-level "
	       "value must be an object",
	       "a top-level array is refused");
	j = parse("\"x\"", &err);
	ok(j == NULL && err, "a top-level string is refused");
	j = parse("", &err);
	ok(j == NULL && err && strstr(err, "line 1, column 1: "), "empty input: %s", err);
	free(err);
}

static char *nested(int depth)
{
	char *s = xmalloc((size_t)depth * 2 + 16);
	int i, n = 0;

	s[n++] = '{';
	s[n++] = '"';
	s[n++] = 'a';
	s[n++] = '"';
	s[n++] = ':';
	for (i = 1; i < depth; i++)
		s[n++] = '[';
	for (i = 1; i < depth; i++)
		s[n++] = ']';
	if (depth == 1)
		s[n++] = '1';
	s[n++] = '}';
	s[n] = '\0';
	return s;
}

static void test_limits(void)
{
	char *err = NULL, *text, *path, *big;
	json_t *j = NULL;
	size_t len;

	text = nested(HOST_JSONC_MAX_DEPTH);
	j = parse(text, &err);
	ok(j != NULL, "depth %d is allowed", HOST_JSONC_MAX_DEPTH);
	json_decref(j);
	free(text);

	text = nested(HOST_JSONC_MAX_DEPTH + 1);
	j = parse(text, &err);
	is_str(err,
	       "Unable to parse host configuration file 't.json': line 1, column 69: nesting "
	       "deeper than 64 levels",
	       "depth 65 is refused at the 65th bracket");
	free(text);

	j = parse("{\"a\": \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"} // "
		  "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
		  &err);
	ok(j != NULL, "brackets in strings and comments do not count");
	json_decref(j);

	/* Exactly at the limit: parsed. One byte more: refused before parsing. */
	len = HOST_JSONC_MAX_BYTES;
	big = xmalloc(len + 1);
	memset(big, ' ', len + 1);
	big[0] = '{';
	big[len - 1] = '}';
	path = write_file("big.json", big, len);
	ok(host_jsonc_load(path, PFX, &j, &err) == 0, "a file of exactly %zu bytes loads", len);
	json_decref(j);
	free(err);
	err = NULL;
	unlink(path);
	free(path);
	big[len - 1] = ' ';
	big[len] = '}';
	path = write_file("big.json", big, len + 1);
	ok(host_jsonc_load(path, PFX, &j, &err) == -1 && j == NULL, "one byte more fails");
	text = xasprintf("Unable to parse host configuration file '%s': the file is larger than "
			 "4194304 bytes",
			 path);
	is_str(err, text, "size error names the file and the limit");
	free(text);
	free(err);
	unlink(path);
	free(path);
	free(big);
}

static void test_files(void)
{
	char *err = NULL, *path;
	json_t *j = NULL;
	int rc;

	path = xasprintf("%s/missing.json", dir);
	rc = host_jsonc_load(path, PFX, &j, &err);
	ok(rc == HOST_JSONC_MISSING && j == NULL && err == NULL, "a missing file is not an error");
	free(path);

	path = write_file("ok.json", "{\"A\": {\"b\": 1}} // c", 21);
	rc = host_jsonc_load(path, PFX, &j, &err);
	ok(rc == 0 && j != NULL, "a file loads");
	json_decref(j);
	unlink(path);
	free(path);

	path = write_file("bad.json", "{\n\"a\": x}", 9);
	rc = host_jsonc_load(path, "Unable to parse local settings file", &j, &err);
	ok(rc == -1 && err && strncmp(err, "Unable to parse local settings file '", 37) == 0 &&
		   strstr(err, "bad.json': line 2, column 6: "),
	   "the caller's prefix and the path: %s", err);
	free(err);
	err = NULL;
	unlink(path);
	free(path);

	rc = host_jsonc_load(dir, PFX, &j, &err);
	ok(rc == -1 && err && strstr(err, "Is a directory"), "a directory is an error: %s", err);
	free(err);
}

static void test_get(void)
{
	char *err = NULL;
	const char *key = NULL;
	json_t *j = parse("{\"Version\": \"1\", \"other\": 2, \"VERSION\": \"2\"}", &err);

	is_str(json_string_value(host_jsonc_get(j, "version", &key)), "2",
	       "case-insensitive lookup, the later key wins");
	is_str(key, "VERSION", "found_key is the key as spelled");
	ok(host_jsonc_get(j, "missing", &key) == NULL && key == NULL, "missing key");
	ok(host_jsonc_get(json_object_get(j, "other"), "x", NULL) == NULL, "a non-object");
	json_decref(j);
	free(err);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	subtest("comments", test_comments);
	subtest("errors", test_errors);
	subtest("limits", test_limits);
	subtest("files", test_files);
	subtest("case-insensitive get", test_get);
	rmdir(dir);
	return done_testing();
}
