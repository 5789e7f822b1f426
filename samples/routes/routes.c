/*
 * routes - route templates, parameters and constraints.
 *
 *   GET /api/products/{category:alpha}/{id:int?}  -> the parsed values as JSON
 *   GET /api/files/{*path}                        -> the catch-all remainder
 *   GET /api/docs/{file}.{ext}                    -> a complex segment
 *   GET /api/items/{id:guid}                      -> only GUIDs match
 *   GET /api/items/latest                         -> literal beats parameter
 *   GET /api/users/{name=guest}                   -> default value
 */
#include <cfunc.h>

/* Values in the samples are ASCII letters/digits or checked by constraints,
 * except catch-all paths; escape the two characters JSON cannot hold raw. */
static const char *json_str(cf_http *h, const char *s)
{
	size_t n = 0;
	char *out, *w;
	if (!s)
		return "null";
	for (const char *p = s; *p; p++)
		n += (*p == '"' || *p == '\\') ? 2 : (unsigned char)*p < 0x20 ? 6 : 1;
	out = w = cf_alloc(h, n + 3);
	*w++ = '"';
	for (const char *p = s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			*w++ = '\\';
			*w++ = *p;
		} else if ((unsigned char)*p < 0x20) {
			w += __builtin_sprintf(w, "\\u%04x", (unsigned char)*p);
		} else {
			*w++ = *p;
		}
	}
	*w++ = '"';
	*w = '\0';
	return out;
}

static cf_rc product(cf_http *h)
{
	return cf_http_respond(h, 200, "application/json",
			       cf_fmt(h, "{\"category\":%s,\"id\":%s}",
				      json_str(h, cf_http_route_param(h, "category")),
				      json_str(h, cf_http_route_param(h, "id"))));
}

static cf_rc files(cf_http *h)
{
	return cf_http_respond(h, 200, "application/json",
			       cf_fmt(h, "{\"path\":%s}", json_str(h, cf_http_route_param(h, "path"))));
}

static cf_rc docs(cf_http *h)
{
	return cf_http_respond(h, 200, "application/json",
			       cf_fmt(h, "{\"file\":%s,\"ext\":%s}",
				      json_str(h, cf_http_route_param(h, "file")),
				      json_str(h, cf_http_route_param(h, "ext"))));
}

static cf_rc item(cf_http *h)
{
	return cf_http_respond(h, 200, "application/json",
			       cf_fmt(h, "{\"item\":%s}", json_str(h, cf_http_route_param(h, "id"))));
}

static cf_rc latest(cf_http *h)
{
	return cf_http_respond(h, 200, "application/json", "{\"item\":\"latest\"}");
}

static cf_rc user(cf_http *h)
{
	return cf_http_respond(h, 200, "application/json",
			       cf_fmt(h, "{\"user\":%s}", json_str(h, cf_http_route_param(h, "name"))));
}

static cf_rc init(cf_app *app)
{
	cf_register_http(app, "product", "GET", "products/{category:alpha}/{id:int?}",
			 CF_AUTH_ANONYMOUS, product);
	cf_register_http(app, "files", "GET", "files/{*path}", CF_AUTH_ANONYMOUS, files);
	cf_register_http(app, "docs", "GET", "docs/{file}.{ext}", CF_AUTH_ANONYMOUS, docs);
	cf_register_http(app, "item", "GET", "items/{id:guid}", CF_AUTH_ANONYMOUS, item);
	cf_register_http(app, "latest_item", "GET", "items/latest", CF_AUTH_ANONYMOUS, latest);
	cf_register_http(app, "user", "GET", "users/{name=guest}", CF_AUTH_ANONYMOUS, user);
	return CF_OK;
}

CF_APP_INIT(init)
