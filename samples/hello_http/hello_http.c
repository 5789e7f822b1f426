/*
 * hello_http - the smallest HTTP app.
 *
 *   GET  /api/hello?name=Ada               -> Hello, Ada!
 *   POST /api/hello  {"name":"Ada"}        -> Hello, Ada!
 *   POST /api/hello_json {"name":"Ada"}    -> {"greeting":"Hello, Ada!"}
 *
 * Without a name it answers 400 with a hint, like the func template does.
 */
#include <cfunc.h>
#include <stdio.h>
#include <string.h>

/* Finds "name":"..." in a flat JSON object without a JSON library; enough
 * for the sample (the host's JSON handling is not part of the app ABI). */
static const char *json_name(cf_http *h, const char *body)
{
	const char *k = strstr(body, "\"name\"");
	const char *start, *end;
	if (!k)
		return NULL;
	k = strchr(k + 6, ':');
	if (!k)
		return NULL;
	while (*++k == ' ')
		;
	if (*k != '"')
		return NULL;
	start = k + 1;
	for (end = start; *end && *end != '"'; end++)
		if (*end == '\\')
			return NULL; /* escaped names are out of scope for the sample */
	if (*end != '"')
		return NULL;
	return cf_fmt(h, "%.*s", (int)(end - start), start);
}

static const char *requested_name(cf_http *h)
{
	const char *name = cf_http_query(h, "name");
	size_t len;
	const char *body = cf_http_body(h, &len);
	if (name && *name)
		return name;
	return len ? json_name(h, body) : NULL;
}

static cf_rc hello(cf_http *h)
{
	const char *name = requested_name(h);
	cf_log(h, CF_LOG_INFO, "HTTP trigger function processed a request.");
	if (!name)
		return cf_http_respond(h, 400, "text/plain; charset=utf-8",
				       "Please pass a name on the query string or in the request body");
	return cf_http_respond(h, 200, "text/plain; charset=utf-8", cf_fmt(h, "Hello, %s!", name));
}

static cf_rc hello_json(cf_http *h)
{
	const char *name = requested_name(h);
	if (!name)
		return cf_http_respond(h, 400, "application/json",
				       "{\"error\":\"missing 'name' in the JSON body\"}");
	return cf_http_respond(h, 200, "application/json",
			       cf_fmt(h, "{\"greeting\":\"Hello, %s!\"}", name));
}

static cf_rc init(cf_app *app)
{
	cf_register_http(app, "hello", "GET,POST", "hello", CF_AUTH_ANONYMOUS, hello);
	cf_register_http(app, "hello_json", "POST", "hello_json", CF_AUTH_ANONYMOUS, hello_json);
	return CF_OK;
}

CF_APP_INIT(init)
