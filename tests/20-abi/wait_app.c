/*
 * wait_app - HTTP functions that wait for an instance and do something
 * after the wait (tests/50-e2e/durable_wait.sh): the response the function
 * leaves decides, the wait's or its own.
 *
 *   POST /api/wait_then_header/{orch}  starts {orch} with the body as input,
 *        waits (timeout_ms, 20 s when absent), then adds "X-After-Wait: yes":
 *        the wait's answer, with that header.
 *   POST /api/wait_then_body/{orch}  the same, then sets the body
 *        {"mine":true}: the function replaced the answer, so its own goes
 *        out at once (the wait's status, its body).
 *   POST /api/wait_twice/{orch}  starts {orch} twice (inputs "first" and
 *        "second") and waits for the first, then for the second: the last
 *        wait decides the answer.
 */
#include <cfunc.h>

#include <stdlib.h>

static long long timeout_of(cf_http *h)
{
	const char *v = cf_http_query(h, "timeout_ms");
	return v ? atoll(v) : 20000;
}

static cf_rc wait_then_header(cf_http *h)
{
	size_t len;
	const char *body = cf_http_body(h, &len);
	const char *id;
	if (cf_durable_start(h, cf_http_route_param(h, "orch"), NULL, len ? body : NULL, &id) != CF_OK)
		return CF_ERROR;
	cf_rc rc = cf_durable_wait_or_check_status_response(h, id, timeout_of(h), 10);
	if (rc != CF_OK)
		return rc;
	return cf_http_add_header(h, "X-After-Wait", "yes");
}

static cf_rc wait_then_body(cf_http *h)
{
	static const char mine[] = "{\"mine\":true}";
	const char *id;
	if (cf_durable_start(h, cf_http_route_param(h, "orch"), NULL, NULL, &id) != CF_OK)
		return CF_ERROR;
	cf_rc rc = cf_durable_wait_or_check_status_response(h, id, timeout_of(h), 10);
	if (rc != CF_OK)
		return rc;
	cf_http_set_body(h, mine, sizeof(mine) - 1);
	return CF_OK;
}

static cf_rc wait_twice(cf_http *h)
{
	const char *orch = cf_http_route_param(h, "orch");
	const char *first, *second;
	if (cf_durable_start(h, orch, NULL, "\"first\"", &first) != CF_OK ||
	    cf_durable_start(h, orch, NULL, "\"second\"", &second) != CF_OK)
		return CF_ERROR;
	cf_rc rc = cf_durable_wait_or_check_status_response(h, first, timeout_of(h), 10);
	if (rc != CF_OK)
		return rc;
	return cf_durable_wait_or_check_status_response(h, second, timeout_of(h), 10);
}

static cf_rc init(cf_app *app)
{
	cf_register_http(app, "wait_then_header", "POST", "wait_then_header/{orch}",
			 CF_AUTH_ANONYMOUS, wait_then_header);
	cf_register_http(app, "wait_then_body", "POST", "wait_then_body/{orch}",
			 CF_AUTH_ANONYMOUS, wait_then_body);
	cf_register_http(app, "wait_twice", "POST", "wait_twice/{orch}", CF_AUTH_ANONYMOUS,
			 wait_twice);
	return CF_OK;
}

CF_APP_INIT(init)
