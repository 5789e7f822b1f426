/*
 * admin_keys.c - the key endpoints of the admin API (spec: functions-host.md
 * §7), over host/keys/keys.h:
 *   /admin/host/keys[/{name}]            host keys ("functionkeys" too)
 *   /admin/host/systemkeys[/{name}]      system keys; "_master" is the master key
 *   /admin/functions/{fn}/keys[/{name}]  one function's keys
 * GET lists or reads, PUT {"name","value"} sets, POST generates (201 new, 200
 * replaced), DELETE removes (204; 404 unknown; 400 for the master key).
 * They are admin endpoints: the server only lets the master key in when key
 * checks are on.
 */
#include "host/endpoints/admin.h"
#include "bindings/json_util.h"
#include "host/keys/keys.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct key_route {
	enum host_keys_scope scope;
	char fn[160];     /* HOST_KEYS_SCOPE_FUNCTION */
	char name[160];   /* "" = the collection */
	char base[400];   /* path of the collection, for links */
};

static int segment(const char *p, char *out, size_t cap, const char **rest)
{
	size_t n = strcspn(p, "/");
	if (n == 0 || n >= cap)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	*rest = p + n;
	return 0;
}

/* Parses the path; 0 when it is a key route. */
static int parse(const char *path, struct key_route *r)
{
	const char *rest;
	memset(r, 0, sizeof(*r));
	if (strncasecmp(path, "/admin/host/keys", 16) == 0) {
		r->scope = HOST_KEYS_SCOPE_HOST;
		rest = path + 16;
	} else if (strncasecmp(path, "/admin/host/functionkeys", 24) == 0) {
		r->scope = HOST_KEYS_SCOPE_HOST;
		rest = path + 24;
	} else if (strncasecmp(path, "/admin/host/systemkeys", 22) == 0) {
		r->scope = HOST_KEYS_SCOPE_SYSTEM;
		rest = path + 22;
	} else if (strncasecmp(path, "/admin/functions/", 17) == 0) {
		const char *p = path + 17;
		r->scope = HOST_KEYS_SCOPE_FUNCTION;
		if (segment(p, r->fn, sizeof(r->fn), &rest) != 0 || strncasecmp(rest, "/keys", 5) != 0)
			return -1;
		rest += 5;
	} else {
		return -1;
	}
	snprintf(r->base, sizeof(r->base), "%.*s", (int)(rest - path), path);
	if (*rest == '\0' || strcmp(rest, "/") == 0)
		return 0;
	if (*rest != '/' || segment(rest + 1, r->name, sizeof(r->name), &rest) != 0 ||
	    (*rest && strcmp(rest, "/") != 0))
		return -1;
	return 0;
}

int host_admin_is_key_route(const char *path)
{
	struct key_route r;
	return parse(path, &r) == 0;
}

static void reply(struct bind_http *h, int status, json_t *o)
{
	char *text = bind_json_dump(o);
	bind_http_set_json(h, status, text);
	free(text);
	json_decref(o);
}

static json_t *links(const struct bind_http *h, const char *path)
{
	return json_pack("[{s:s, s:s+}]", "rel", "self", "href", h->base_url, path);
}

static void error(struct bind_http *h, int status, const char *msg)
{
	reply(h, status, json_pack("{s:s}", "Message", msg ? msg : "error"));
}

void host_admin_keys(struct host_server *srv, struct bind_http *h)
{
	struct key_route r;
	const char *fn;
	char *value = NULL, *err = NULL;
	int rc, created = 0;

	if (!srv->keys || parse(h->path, &r) != 0) {
		h->status = 404;
		return;
	}
	fn = r.scope == HOST_KEYS_SCOPE_FUNCTION ? r.fn : NULL;
	if (fn && !bind_registry_find(srv->reg, fn)) {
		h->status = 404;
		return;
	}
	if (host_keys_refresh(srv->keys, &err) < 0) {
		error(h, 500, err);
		free(err);
		return;
	}

	if (!r.name[0]) {
		struct host_keys_entry *e;
		size_t n;
		json_t *arr = json_array();
		if (strcmp(h->method, "GET") != 0) {
			h->status = 404;
			json_decref(arr);
			return;
		}
		host_keys_list(srv->keys, r.scope, fn, &e, &n);
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, json_pack("{s:s, s:s}", "name", e[i].name, "value",
							     e[i].value));
		host_keys_entries_free(e, n);
		reply(h, 200, json_pack("{s:o, s:o}", "keys", arr, "links", links(h, h->path)));
		return;
	}

	if (strcmp(h->method, "GET") == 0) {
		rc = host_keys_get(srv->keys, r.scope, fn, r.name, &value);
		if (rc != 0) {
			h->status = 404;
			return;
		}
		reply(h, 200, json_pack("{s:s, s:s, s:o}", "name", r.name, "value", value, "links",
					links(h, h->path)));
		free(value);
		return;
	}
	if (strcmp(h->method, "PUT") == 0 || strcmp(h->method, "POST") == 0) {
		const char *given = NULL;
		json_t *body = NULL;
		if (strcmp(h->method, "PUT") == 0) {
			json_error_t jerr;
			body = h->body_len ? json_loadb(h->body, h->body_len, 0, &jerr) : NULL;
			given = body ? json_string_value(json_object_get(body, "value")) : NULL;
			if (!given) {
				json_decref(body);
				error(h, 400, "PUT needs a JSON body {\"name\": ..., \"value\": ...}");
				return;
			}
		}
		rc = host_keys_set(srv->keys, r.scope, fn, r.name, given, &created, &value, &err);
		json_decref(body);
		if (rc == HOST_KEYS_E_INVALID || rc == HOST_KEYS_E_MASTER) {
			error(h, 400, err);
		} else if (rc == HOST_KEYS_E_NOTFOUND) {
			h->status = 404;
		} else if (rc != 0) {
			error(h, 500, err);
		} else {
			reply(h, created ? 201 : 200,
			      json_pack("{s:s, s:s, s:o}", "name", r.name, "value", value, "links",
					links(h, h->path)));
		}
		free(value);
		free(err);
		return;
	}
	if (strcmp(h->method, "DELETE") == 0) {
		rc = host_keys_delete(srv->keys, r.scope, fn, r.name, &err);
		if (rc == 0)
			h->status = 204;
		else if (rc == HOST_KEYS_E_NOTFOUND)
			h->status = 404;
		else if (rc == HOST_KEYS_E_MASTER || rc == HOST_KEYS_E_INVALID)
			error(h, 400, err);
		else
			error(h, 500, err);
		free(err);
		return;
	}
	h->status = 404;
}
