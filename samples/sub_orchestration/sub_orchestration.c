/*
 * sub_orchestration - a parent orchestration that runs one child
 * orchestration per region, in parallel, and collects their results.
 *
 * Start it through durable_hello's starter (the body is the input):
 *   POST /api/orchestrators/deploy_all_regions
 *        {"regions": ["westus", "eastus", "westeurope"]}
 *
 *   deploy_all_regions  starts deploy_region for every region (default the
 *                       three above) as child "<instance id>:<region>",
 *                       waits for all of them and returns
 *                       {"regions_deployed": N, "results": [...]} in input
 *                       order. A failed child fails the parent.
 *   deploy_region       a chain of its own: provision_region, then
 *                       verify_region; returns
 *                       {"region", "resource", "healthy"}.
 *   provision_region    "westus" -> "rg-westus"
 *   verify_region       checks the resource group; regions named
 *                       "fail-..." fail, to show how errors surface.
 */
#include <cfunc.h>

#include <string.h>

#define MAX_REGIONS 100

/* Region names become part of child instance ids: keep them plain. */
static int plain_name(const char *s)
{
	return *s && strlen(s) <= 64 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") ==
		       strlen(s);
}

/*
 * The cfunc.h JSON helpers read object members only, so walk the array
 * text: `*p` points after the '[' of a compact JSON array (what cf_json_get
 * returns). Returns the next element as SCRATCH text and moves `*p` past
 * it, or NULL at the closing ']'.
 */
static const char *next_element(cf_orch *o, const char **p)
{
	const char *s = *p, *start = s;
	int depth = 0, in_string = 0;

	if (*s == ']' || !*s)
		return NULL;
	for (; *s; s++) {
		if (in_string) {
			if (*s == '\\')
				s++;
			else if (*s == '"')
				in_string = 0;
		} else if (*s == '"') {
			in_string = 1;
		} else if (*s == '[' || *s == '{') {
			depth++;
		} else if ((*s == ']' || *s == '}') && depth-- == 0) {
			break;
		} else if (*s == ',' && depth == 0) {
			break;
		}
	}
	*p = *s == ',' ? s + 1 : s;
	return cf_fmt(o, "%.*s", (int)(s - start), start);
}

static cf_rc deploy_all_regions(cf_orch *o)
{
	const char *regions = cf_json_get(o, cf_orch_input(o), "regions");
	const char *p, *elem, *results;
	cf_task *children[MAX_REGIONS];
	int n = 0;

	if (!regions)
		regions = "[\"westus\",\"eastus\",\"westeurope\"]";
	if (regions[0] != '[')
		return cf_orch_fail(o, "regions must be an array of strings");

	for (p = regions + 1; (elem = next_element(o, &p)); n++) {
		const char *region = cf_json_string(o, elem, NULL);

		if (!region || !plain_name(region))
			return cf_orch_fail(o, "regions must be names of letters, digits and '-'");
		if (n == MAX_REGIONS)
			return cf_orch_fail(o, "at most 100 regions");
		/* Explicit child ids make each child easy to find in the status API. */
		children[n] = cf_call_sub_orchestrator(
			o, "deploy_region", cf_fmt(o, "%s:%s", cf_orch_instance_id(o), region),
			cf_json_quote(o, region));
	}
	if (n == 0)
		return cf_orch_fail(o, "regions must be a non-empty array of strings");

	/* Fails as soon as one child fails, with that child's error. */
	CF_AWAIT(o, cf_when_all(o, children, n), &results);
	return cf_orch_finish(o, cf_fmt(o, "{\"regions_deployed\":%d,\"results\":%s}", n, results));
}

static cf_rc deploy_region(cf_orch *o)
{
	const char *region = cf_orch_input(o);
	const char *resource, *verified;

	CF_AWAIT(o, cf_call_activity(o, "provision_region", region), &resource);
	CF_AWAIT(o, cf_call_activity(o, "verify_region",
				     cf_fmt(o, "{\"region\":%s,\"resource\":%s}", region, resource)),
		 &verified);
	return cf_orch_finish(o, verified);
}

static cf_rc provision_region(cf_act *a)
{
	const char *region = cf_json_string(a, cf_act_input(a), NULL);
	if (!region)
		return cf_act_fail(a, "provision_region expects a JSON string");
	return cf_act_return(a, cf_json_quote(a, cf_fmt(a, "rg-%s", region)));
}

static cf_rc verify_region(cf_act *a)
{
	const char *in = cf_act_input(a);
	const char *region = cf_json_string(a, in, "region");

	if (!region)
		return cf_act_fail(a, "verify_region expects {\"region\", \"resource\"}");
	if (strncmp(region, "fail-", 5) == 0)
		return cf_act_fail(a, cf_fmt(a, "region %s is not healthy", region));
	return cf_act_return(a, cf_fmt(a, "{\"region\":%s,\"resource\":%s,\"healthy\":true}",
				       cf_json_quote(a, region), cf_json_get(a, in, "resource")));
}

static cf_rc init(cf_app *app)
{
	cf_register_orchestrator(app, "deploy_all_regions", deploy_all_regions);
	cf_register_orchestrator(app, "deploy_region", deploy_region);
	cf_register_activity(app, "provision_region", provision_region);
	cf_register_activity(app, "verify_region", verify_region);
	return CF_OK;
}

CF_APP_INIT(init)
