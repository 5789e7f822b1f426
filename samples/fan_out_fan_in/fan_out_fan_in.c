/*
 * fan_out_fan_in - the seeds' fan-out/fan-in pattern in C.
 *
 * Start it through durable_hello's starter (the body is the input):
 *   POST /api/orchestrators/fan_out_fan_in   {"count": 5}
 *
 *   fan_out_fan_in  makes work items "item-0" .. "item-<count-1>" (count
 *                   defaults to 5), runs process_item on all of them in
 *                   parallel and returns
 *                   {"items_processed": N, "results": [60, 60, ...]}
 *                   with the results in item order.
 *   process_item    "item-3" -> 60 (length of the item times 10)
 */
#include <cfunc.h>

#include <string.h>

/* Far below the engine's per-execution action limit, and enough for a demo. */
#define MAX_ITEMS 10000

static cf_rc fan_out_fan_in(cf_orch *o)
{
	const char *input = cf_orch_input(o);
	double count = 5;
	const char *results;
	cf_task **tasks;
	int n;

	if (cf_json_number(o, input, "count", &count) == CF_E_INVALID)
		return cf_orch_fail(o, "count must be a number");
	if (!(count >= 0 && count <= MAX_ITEMS) || count != (int)count)
		return cf_orch_fail(o, "count must be an integer from 0 to 10000");
	n = (int)count;
	if (n == 0) /* cf_when_all over nothing has nothing to wait for */
		return cf_orch_finish(o, "{\"items_processed\":0,\"results\":[]}");

	/* Fan out: every activity is scheduled before we wait for any. */
	tasks = cf_alloc(o, n * sizeof(*tasks));
	for (int i = 0; i < n; i++) {
		const char *item = cf_json_quote(o, cf_fmt(o, "item-%d", i));
		tasks[i] = cf_call_activity(o, "process_item", item);
	}

	/* Fan in: a JSON array of the results, in argument order. */
	CF_AWAIT(o, cf_when_all(o, tasks, n), &results);
	return cf_orch_finish(o, cf_fmt(o, "{\"items_processed\":%d,\"results\":%s}", n, results));
}

static cf_rc process_item(cf_act *a)
{
	const char *item = cf_json_string(a, cf_act_input(a), NULL);

	if (!item)
		return cf_act_fail(a, "process_item expects a JSON string");
	return cf_act_return(a, cf_fmt(a, "%zu", strlen(item) * 10));
}

static cf_rc init(cf_app *app)
{
	cf_register_orchestrator(app, "fan_out_fan_in", fan_out_fan_in);
	cf_register_activity(app, "process_item", process_item);
	return CF_OK;
}

CF_APP_INIT(init)
