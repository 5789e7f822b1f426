/*
 * approval - the seeds' human interaction pattern in C: wait for an approval
 * event, or give up after a timeout.
 *
 * Start it through durable_hello's starter (the body is the input):
 *   POST /api/orchestrators/approval_workflow   {"timeout_seconds": 30}
 * then answer with the ApprovalEvent, e.g. through the management API:
 *   POST /runtime/webhooks/durabletask/instances/{id}/raiseEvent/ApprovalEvent   true
 *
 *   approval_workflow      calls send_approval_request with its input, then
 *                          races the ApprovalEvent against a durable timer of
 *                          timeout_seconds (default 3 days, fractions allowed).
 *                          Returns "Approved" or "Rejected" from the event's
 *                          boolean (true, or {"approved": true}), else
 *                          "Timed out".
 *   send_approval_request  stands in for the e-mail or chat message that
 *                          would ask a person to decide.
 */
#include <cfunc.h>

#define DEFAULT_TIMEOUT_S (3 * 24 * 3600.0)
#define MAX_TIMEOUT_S (366 * 24 * 3600.0)

/* true / {"approved": true} approve; anything else rejects. */
static int approved(cf_orch *o, const char *data)
{
	int yes;
	if (cf_json_bool(o, data, NULL, &yes) == CF_OK || cf_json_bool(o, data, "approved", &yes) == CF_OK)
		return yes;
	return 0;
}

static cf_rc approval_workflow(cf_orch *o)
{
	const char *input = cf_orch_input(o);
	double timeout_s = DEFAULT_TIMEOUT_S;
	cf_task *race[2], *any, *event, *timer;
	cf_rc rc;

	rc = cf_json_number(o, input, "timeout_seconds", &timeout_s);
	if (rc == CF_E_INVALID || (rc == CF_OK && !(timeout_s >= 0 && timeout_s <= MAX_TIMEOUT_S)))
		return cf_orch_fail(o, "timeout_seconds must be a number from 0 to 31622400");

	CF_AWAIT(o, cf_call_activity(o, "send_approval_request", input), NULL);

	/* The deadline counts from the deterministic "now", so every replay
	 * creates the same timer. */
	event = cf_wait_for_event(o, "ApprovalEvent");
	timer = cf_create_timer(o, cf_orch_now(o) + (int64_t)(timeout_s * 1000));
	race[0] = event;
	race[1] = timer;
	any = cf_when_any(o, race, 2);
	CF_AWAIT(o, any, NULL);

	if (cf_task_winner(any) == event) {
		/* Without the cancel the pending timer would keep the instance
		 * Running until the deadline. */
		cf_task_cancel(timer);
		return cf_orch_finish(o, approved(o, cf_task_result(event)) ? "\"Approved\""
									    : "\"Rejected\"");
	}
	return cf_orch_finish(o, "\"Timed out\"");
}

static cf_rc send_approval_request(cf_act *a)
{
	cf_log(a, CF_LOG_INFO, "Approval requested for instance %s: %s", cf_act_instance_id(a),
	       cf_act_input(a));
	return cf_act_return(a, "\"Approval request sent\"");
}

static cf_rc init(cf_app *app)
{
	cf_register_orchestrator(app, "approval_workflow", approval_workflow);
	cf_register_activity(app, "send_approval_request", send_approval_request);
	return CF_OK;
}

CF_APP_INIT(init)
