/*
 * admin_durable.c - read-only task-hub views the dashboard needs that the
 * management API does not give (README "Admin and health endpoints"):
 *
 *   GET /admin/durable/counts    instances per runtimeStatus, from one
 *                                indexed query (rt_store_count_by_status)
 *   GET /admin/durable/history?instanceId=<id>[&skip=&top=&type=&name=]
 *                                the current execution's events as stored:
 *                                event ids, the scheduled rows and the
 *                                child instance ids the API's projection
 *                                (durable-http-api §7) merges away
 *
 *   GET /admin/durable/instances?sort=&order=&name=&runtimeStatus=&...
 *                                the listing in a chosen order, with a name
 *                                filter (management/list_sorted.h)
 *
 * All read on the engine's read-only handles and need the master key, as
 * every /admin call does with keys on.
 */
#include "host/endpoints/admin_dashboard.h"
#include "bindings/durable_client.h"
#include "bindings/json_util.h"
#include "bindings/status_json.h"
#include "management/list_sorted.h"
#include "runtime/engine.h"
#include "runtime/history.h"
#include "runtime/store.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HISTORY_TOP_MAX 100000

static void reply(struct bind_http *h, int status, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	bind_http_set_json(h, status, text);
	free(text);
	json_decref(body);
}

static void reply_error(struct bind_http *h, int status, const char *msg)
{
	json_t *o = json_object();
	json_object_set_new(o, "Message", json_string(msg ? msg : "error"));
	reply(h, status, o);
}

static json_t *time_json(int64_t us)
{
	char buf[40];
	rt_format_time_7(us, buf);
	return json_string(buf);
}

static void counts(struct host_server *srv, struct bind_http *h)
{
	int64_t n[RT_STORE_STATUS_SLOTS], other, total = 0;
	char *err = NULL;
	json_t *o, *c;
	int rc;

	if (!srv->durable) {
		reply_error(h, 404, "No task hub: this host runs no durable functions.");
		return;
	}
	rc = bind_client_count_by_status(srv->durable, n, &other, &err);
	if (rc != CF_OK) {
		reply_error(h, 500, err);
		free(err);
		return;
	}
	o = json_object();
	c = json_object();
	json_object_set_new(o, "taskHub", json_string(srv->durable->hub));
	/* Every status the API can show, 0 included, in the spec's order. */
	for (int st = 0; st < RT_STORE_STATUS_SLOTS; st++) {
		if (st == RT_ST_CANCELED)
			continue; /* reserved, never produced */
		json_object_set_new(c, rt_status_name((enum rt_status)st), json_integer(n[st]));
		total += n[st];
	}
	total += n[RT_ST_CANCELED] + other;
	json_object_set_new(o, "counts", c);
	json_object_set_new(o, "total", json_integer(total));
	reply(h, 200, o);
}

/* A decimal >= 0 or the default; -1 for anything else (400). */
static long long nonneg_param(const struct bind_http *h, const char *name, long long dflt)
{
	const char *v = bind_http_query(h, name);
	char *end;
	long long x;
	if (!v)
		return dflt;
	x = strtoll(v, &end, 10);
	if (!*v || *end || x < 0)
		return -1;
	return x;
}

static void set_str(json_t *o, const char *key, const char *v)
{
	if (v)
		json_object_set_new(o, key, json_string(v));
}

static json_t *event_json(const struct rt_event *ev, size_t seq)
{
	json_t *o = json_object();
	json_object_set_new(o, "Seq", json_integer((json_int_t)seq));
	json_object_set_new(o, "EventType", json_string(rt_event_type_name(ev->type)));
	json_object_set_new(o, "EventId", json_integer(ev->event_id));
	json_object_set_new(o, "Timestamp", time_json(ev->timestamp_us));
	set_str(o, "Name", ev->name);
	if (ev->input)
		json_object_set_new(o, "Input", bind_json_payload(ev->input));
	if (ev->result)
		json_object_set_new(o, "Result", bind_json_payload(ev->result));
	set_str(o, "Reason", ev->reason);
	set_str(o, "Details", ev->details);
	if (ev->task_scheduled_id >= 0)
		json_object_set_new(o, ev->type == RT_EV_TIMER_FIRED ? "TimerId" : "TaskScheduledId",
				    json_integer(ev->task_scheduled_id));
	if (ev->type == RT_EV_TIMER_CREATED || ev->type == RT_EV_TIMER_FIRED)
		json_object_set_new(o, "FireAt", time_json(ev->fire_at_us));
	if (ev->type == RT_EV_EXECUTION_COMPLETED || ev->type == RT_EV_CONTINUE_AS_NEW)
		json_object_set_new(o, "OrchestrationStatus",
				    json_string(rt_status_name(ev->orchestration_status)));
	/* ExecutionStarted: this execution; SubOrchCreated/EventSent: the target. */
	set_str(o, "InstanceId", ev->instance_id);
	set_str(o, "ExecutionId", ev->execution_id);
	set_str(o, "ParentInstanceId", ev->parent_instance_id);
	set_str(o, "Data", ev->data);
	if (ev->previous_input)
		json_object_set_new(o, "PreviousInput", bind_json_payload(ev->previous_input));
	if (ev->started_us)
		json_object_set_new(o, "StartedTime", time_json(ev->started_us));
	return o;
}

/* Case-insensitive substring: the history table's name filter. */
static int contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	if (!hay)
		return 0;
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return n == 0;
}

static void history(struct host_server *srv, struct bind_http *h)
{
	const char *id = bind_http_query(h, "instanceId");
	const char *type = bind_http_query(h, "type");
	const char *name = bind_http_query(h, "name");
	long long skip = nonneg_param(h, "skip", 0);
	long long top = nonneg_param(h, "top", HISTORY_TOP_MAX);
	struct rt_instance inst;
	struct rt_event *evs = NULL;
	size_t n = 0, matched = 0;
	char *err = NULL;
	json_t *o, *arr;
	int rc;

	if (!srv->durable) {
		reply_error(h, 404, "No task hub: this host runs no durable functions.");
		return;
	}
	if (!id || !*id) {
		reply_error(h, 400, "The query parameter 'instanceId' is required.");
		return;
	}
	if (skip < 0 || top < 0) {
		reply_error(h, 400, "'skip' and 'top' must be whole numbers of 0 or more.");
		return;
	}
	if (type && *type) {
		int known = 0;
		for (int t = 0; t < RT_EV__COUNT; t++)
			known |= strcmp(rt_event_type_name((enum rt_event_type)t), type) == 0;
		if (!known) {
			reply_error(h, 400, "'type' is not a history event type (e.g. TaskCompleted).");
			return;
		}
	}
	if (top > HISTORY_TOP_MAX)
		top = HISTORY_TOP_MAX;
	rc = bind_client_read(srv->durable, id, BIND_STATUS_HISTORY, &inst, &evs, &n, h->ctx.arena,
			      &err);
	if (rc == CF_E_NOTFOUND) {
		free(err);
		h->status = 404;
		return;
	}
	if (rc != CF_OK) {
		reply_error(h, 500, err);
		free(err);
		return;
	}

	o = json_object();
	json_object_set_new(o, "instanceId", json_string(inst.instance_id));
	json_object_set_new(o, "name", json_string(inst.name));
	json_object_set_new(o, "executionId", inst.execution_id ? json_string(inst.execution_id) : json_null());
	json_object_set_new(o, "runtimeStatus", json_string(rt_status_name(inst.status)));
	json_object_set_new(o, "generation", json_integer(inst.generation));
	json_object_set_new(o, "parentInstanceId",
			    inst.parent_instance_id ? json_string(inst.parent_instance_id) : json_null());
	arr = json_array();
	for (size_t i = 0; i < n; i++) {
		if (type && *type && strcmp(rt_event_type_name(evs[i].type), type) != 0)
			continue;
		if (name && *name && !contains_ci(evs[i].name, name))
			continue;
		if ((long long)matched >= skip && (long long)matched < skip + top)
			json_array_append_new(arr, event_json(&evs[i], i));
		matched++;
	}
	json_object_set_new(o, "totalEvents", json_integer((json_int_t)n));
	json_object_set_new(o, "matchedEvents", json_integer((json_int_t)matched));
	json_object_set_new(o, "events", arr);
	reply(h, 200, o);
}

static void instances(struct host_server *srv, struct bind_http *h)
{
	bind_webhooks_list_sorted(srv->durable, h);
}

host_endpoint_fn host_admin_durable_route(struct host_server *srv, const char *method,
					  const char *path)
{
	(void)srv;
	if (strncasecmp(path, "/admin/durable/", 15) != 0)
		return NULL;
	if (strcmp(method, "GET") != 0)
		return host_admin_not_found;
	if (strcasecmp(path, "/admin/durable/counts") == 0)
		return counts;
	if (strcasecmp(path, "/admin/durable/history") == 0)
		return history;
	if (strcasecmp(path, "/admin/durable/instances") == 0)
		return instances;
	return host_admin_not_found;
}
