/*
 * retry - the seeds' error handling pattern in C: an activity retried with
 * exponential backoff, and a compensating step when every attempt failed.
 *
 * Start it through durable_hello's starter (the body is the input):
 *   POST /api/orchestrators/workflow_with_retry
 *        {"fail_times": 1, "first_retry_interval_seconds": 5}
 *
 *   workflow_with_retry    calls unreliable_service with up to 3 attempts,
 *                          waiting first_retry_interval_seconds (default 5,
 *                          fractions allowed) before the second and twice
 *                          that before the third (backoff 2.0, at most 60 s).
 *                          Returns the service's result; when all 3 attempts
 *                          failed it sets the custom status {"error": "..."},
 *                          calls compensation_activity and returns
 *                          "Compensated".
 *   unreliable_service     fails its first fail_times attempts (default 1)
 *                          for each instance, then returns
 *                          {"status": "succeeded", "attempt": n}.
 *   compensation_activity  stands in for undoing the work done so far.
 *
 * Activities run at least once: after a crash the same attempt may run again.
 * So unreliable_service keeps its attempt count on disk, keyed by the task in
 * its idempotency key, never in process memory: a re-run of an attempt gets
 * the answer that attempt had, and a host restart does not reset the count.
 * The files go to the folder named by the app setting CFUNC_SAMPLE_STATE_DIR
 * (default .cfunc/sample-state under the host's working directory).
 */
#include <cfunc.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static cf_rc workflow_with_retry(cf_orch *o)
{
	const char *input = cf_orch_input(o);
	double first_s = 5;
	struct cf_retry retry = CF_RETRY_INIT(0, 3); /* first interval set below */
	const char *result;
	cf_task *call;
	cf_rc rc;

	retry.backoff_coefficient = 2.0;
	retry.max_interval_ms = 60 * 1000;
	rc = cf_json_number(o, input, "first_retry_interval_seconds", &first_s);
	if (rc == CF_E_INVALID || (rc == CF_OK && !(first_s >= 0.001 && first_s <= 3600)))
		return cf_orch_fail(o, "first_retry_interval_seconds must be from 0.001 to 3600");
	retry.first_interval_ms = (int64_t)(first_s * 1000 + 0.5);

	call = cf_call_activity_with_retry(o, "unreliable_service", &retry, input);
	switch (cf_await(o, call, &result)) {
	case CF_OK:
		return cf_orch_finish(o, result);
	case CF_PENDING:
		return CF_PENDING;
	default:
		break;
	}

	/* Every attempt failed: say why, then undo. */
	cf_orch_set_custom_status(o, cf_fmt(o, "{\"error\":%s}", cf_json_quote(o, cf_task_error(call))));
	CF_AWAIT(o, cf_call_activity(o, "compensation_activity", input), NULL);
	return cf_orch_finish(o, "\"Compensated\"");
}

/* mkdir -p */
static int make_dirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return mkdir(path, 0777) == 0 || errno == EEXIST ? 0 : -1;
}

/* Instance ids may hold characters a file name should not; hash them
 * (64-bit FNV-1a) into a fixed-length name instead. */
static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211u;
	return h;
}

/*
 * The 1-based attempt number of this task for its instance. The file holds
 * one line per attempt, "<instance>:<task>" from the idempotency key
 * "<instance>:<task>:<delivery>": a task seen before keeps its number,
 * a new one is appended. Returns 0 on an I/O error.
 */
static int attempt_number(cf_act *a)
{
	const char *dir = cf_setting("CFUNC_SAMPLE_STATE_DIR");
	const char *key = cf_act_idempotency_key(a);
	const char *id = cf_act_instance_id(a);
	const char *last = strrchr(key, ':');
	size_t klen = last ? (size_t)(last - key) : strlen(key);
	char *path, line[600];
	int n = 0;
	FILE *f;

	path = cf_fmt(a, "%s", dir && *dir ? dir : ".cfunc/sample-state");
	if (make_dirs(path) != 0)
		return 0;
	path = cf_fmt(a, "%s/unreliable_service-%016llx.attempts", path,
		      (unsigned long long)fnv1a(id, strlen(id)));

	f = fopen(path, "a+");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		n++;
		if (strlen(line) == klen + 1 && strncmp(line, key, klen) == 0) {
			fclose(f);
			return n;
		}
	}
	fprintf(f, "%.*s\n", (int)klen, key);
	/* The count must be on disk before the attempt's outcome is reported. */
	if (fflush(f) != 0 || fclose(f) != 0)
		return 0;
	return n + 1;
}

static cf_rc unreliable_service(cf_act *a)
{
	const char *input = cf_act_input(a);
	double fail_times = 1;
	int attempt;
	cf_rc rc = cf_json_number(a, input, "fail_times", &fail_times);

	if (rc == CF_E_INVALID || (rc == CF_OK && !(fail_times >= 0)))
		return cf_act_fail(a, "fail_times must be a number >= 0");
	attempt = attempt_number(a);
	if (attempt == 0)
		return cf_act_fail(a, cf_fmt(a, "cannot record the attempt: %s", strerror(errno)));
	if (attempt <= fail_times)
		return cf_act_fail(a, cf_fmt(a, "service unavailable (simulated failure %d of %g)",
					     attempt, fail_times));
	return cf_act_return(a, cf_fmt(a, "{\"status\":\"succeeded\",\"attempt\":%d}", attempt));
}

static cf_rc compensation_activity(cf_act *a)
{
	cf_log(a, CF_LOG_WARNING, "Compensating for instance %s", cf_act_instance_id(a));
	return cf_act_return(a, "{\"compensated\":true}");
}

static cf_rc init(cf_app *app)
{
	cf_register_orchestrator(app, "workflow_with_retry", workflow_with_retry);
	cf_register_activity(app, "unreliable_service", unreliable_service);
	cf_register_activity(app, "compensation_activity", compensation_activity);
	return CF_OK;
}

CF_APP_INIT(init)
