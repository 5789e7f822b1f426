/*
 * cxx_app - the header from C++ (g++ -std=c++17 -pedantic -Werror): the
 * common helpers take the handles directly through overloads, and the
 * functions are ordinary C++ (a std::string, a lambda-free static).
 *   GET /api/cxx/hello?name=X   "Hello from C++, X!"
 *   cxx_sequence                calls cxx_upper on its input and returns
 *                               {"cxx": <result>}; status read back through
 *   GET /api/cxx/status/{id}    cf_durable_status without input
 */
#include <cfunc.h>

#include <cctype>
#include <string>

static cf_rc cxx_hello(cf_http *h)
{
	const char *name = cf_http_query(h, "name");
	std::string text = std::string("Hello from C++, ") + (name ? name : "world") + "!";
	cf_log(h, CF_LOG_INFO, "cxx hello for %s", name ? name : "nobody");
	return cf_http_respond(h, 200, "text/plain", text.c_str());
}

static cf_rc cxx_upper(cf_act *a)
{
	const char *s = cf_json_string(a, cf_act_input(a), nullptr);
	if (!s)
		return cf_act_fail(a, "cxx_upper expects a string");
	std::string up(s);
	for (char &c : up)
		c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
	return cf_act_return(a, cf_json_quote(a, up.c_str()));
}

static cf_rc cxx_sequence(cf_orch *o)
{
	const char *r;
	CF_AWAIT(o, cf_call_activity(o, "cxx_upper", cf_orch_input(o)), &r);
	return cf_orch_finish(o, cf_fmt(o, "{\"cxx\":%s}", r));
}

static cf_rc cxx_status(cf_http *h)
{
	const char *json;
	cf_rc rc = cf_durable_status(h, cf_http_route_param(h, "id"), CF_STATUS_NO_INPUT, &json);
	if (rc != CF_OK)
		return cf_http_respond(h, 404, "text/plain", cf_last_error(h));
	return cf_http_respond(h, 200, "application/json", json);
}

static cf_rc init(cf_app *app)
{
	cf_register_http(app, "cxx_hello", "GET", "cxx/hello", CF_AUTH_ANONYMOUS, cxx_hello);
	cf_register_http(app, "cxx_status", "GET", "cxx/status/{id}", CF_AUTH_ANONYMOUS, cxx_status);
	cf_register_activity(app, "cxx_upper", cxx_upper);
	cf_register_orchestrator(app, "cxx_sequence", cxx_sequence);
	cf_log(app, CF_LOG_INFO, "cxx app registered");
	return CF_OK;
}

CF_APP_INIT(init)
