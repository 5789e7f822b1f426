/*
 * function_lines.c - the console lines of host/function_lines.c as they
 * reach stdout: the Durable extension's lines for the engine's reports,
 * with the instance id first, lengths counted as .NET counts them, a
 * sequence number that never repeats, no start line for a replay; the
 * invocation pair; and logging.logLevel hiding either by category.
 */
#include "host/function_lines.h"
#include "host/log.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char captured[300];
static int saved_stdout = -1;

/* logLevel: "Function.hidden" None, and the DurableTask category None
 * while hide_failures is set; the defaults otherwise. */
static int hide_failures;
static int level_of(void *user, const char *category)
{
	(void)user;
	if (strcmp(category, "Function.hidden") == 0)
		return RT_LOG_NONE;
	if (hide_failures && strcmp(category, "Host.Triggers.DurableTask") == 0)
		return RT_LOG_NONE;
	return -1;
}

/* Sends stdout to a fresh file until lines_out() reads it back. */
static void lines_in(void)
{
	fflush(stdout);
	snprintf(captured, sizeof(captured), "/tmp/cfunc-function-lines-%ld.txt", (long)getpid());
	FILE *f = fopen(captured, "w");
	if (!f)
		exit(2);
	saved_stdout = dup(STDOUT_FILENO);
	dup2(fileno(f), STDOUT_FILENO);
	fclose(f);
}

/* What was written since lines_in, with every "[stamp] " prefix and
 * SequenceNumber masked (static buffer). */
static const char *lines_out(void)
{
	static char text[8192];
	dup2(saved_stdout, STDOUT_FILENO);
	close(saved_stdout);
	FILE *f = fopen(captured, "r");
	size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	if (f)
		fclose(f);
	remove(captured);
	text[n] = '\0';
	/* "[2026-01-01T00:00:00.000Z] " is 27 bytes at the start of a line. */
	char *src = text, *dst = text;
	while (*src) {
		if (*src == '[' && (src == text || src[-1] == '\n') && strlen(src) > 27 &&
		    src[25] == ']')
			src += 27;
		if (strncmp(src, "SequenceNumber: ", 16) == 0) {
			memcpy(dst, "SequenceNumber: N", 17);
			dst += 17;
			src += 16;
			while (*src >= '0' && *src <= '9')
				src++;
			continue;
		}
		*dst++ = *src++;
	}
	*dst = '\0';
	return text;
}

static long seq_after(const char *text, int nth)
{
	const char *p = text;
	for (int i = 0; p && i <= nth; i++)
		if ((p = strstr(p, "SequenceNumber: ")) != NULL)
			p += 16;
	return p ? strtol(p, NULL, 10) : -1;
}

static void report(enum rt_durable_fn fn, enum rt_durable_outcome outcome, const char *id,
		   const char *name, const char *text, int replay, int task)
{
	struct rt_durable_report r = {.fn = fn,
				      .outcome = outcome,
				      .instance_id = id,
				      .name = name,
				      .is_replay = replay,
				      .task_event_id = task};
	if (outcome == RT_DURABLE_STARTED)
		r.input = text;
	else if (outcome == RT_DURABLE_COMPLETED)
		r.output = text;
	else
		r.reason = text;
	host_log_durable(NULL, &r);
}

static void test_lines(void)
{
	lines_in();
	report(RT_DURABLE_ORCHESTRATOR, RT_DURABLE_STARTED, "abc", "hello_seq", "\"Tokyo\"", 0, -1);
	is_str(
	    lines_out(),
	    "abc: Function 'hello_seq (Orchestrator)' started. IsReplay: False. Input: (Redacted 7 "
	    "characters). State: Started. RuntimeStatus: Running. HubName: MyHub. AppName: site1. "
	    "SlotName: . ExtensionVersion: cfunc. SequenceNumber: N. TaskEventId: -1\n",
	    "orchestrator started, the hub and site named");

	lines_in();
	report(RT_DURABLE_ORCHESTRATOR, RT_DURABLE_STARTED, "abc", "hello_seq", "\"Tokyo\"", 1, -1);
	is_str(lines_out(), "",
	       "a replaying episode's start prints nothing (traceReplayEvents off)");

	lines_in();
	report(RT_DURABLE_ACTIVITY, RT_DURABLE_COMPLETED, "abc", "say_hello", "\"Hello Tokyo!\"", 0,
	       2);
	is_str(
	    lines_out(),
	    "abc: Function 'say_hello (Activity)' completed. ContinuedAsNew: False. IsReplay: "
	    "False. Output: (Redacted 14 characters). State: Completed. RuntimeStatus: Completed. "
	    "HubName: MyHub. AppName: site1. SlotName: . ExtensionVersion: cfunc. SequenceNumber: "
	    "N. "
	    "TaskEventId: 2\n",
	    "activity completed, with its task id");

	lines_in();
	struct rt_durable_report can = {.fn = RT_DURABLE_ORCHESTRATOR,
					.outcome = RT_DURABLE_COMPLETED,
					.instance_id = "abc",
					.name = "eternal",
					.output = "1",
					.continued_as_new = 1,
					.task_event_id = -1};
	host_log_durable(NULL, &can);
	ok(strstr(lines_out(),
		  "abc: Function 'eternal (Orchestrator)' completed. ContinuedAsNew: True.") !=
	       NULL,
	   "continue-as-new says so");

	lines_in();
	report(RT_DURABLE_ACTIVITY, RT_DURABLE_FAILED, "i-1", "boom", "it broke", 0, 0);
	is_str(lines_out(),
	       "i-1: Function 'boom (Activity)' failed with an error. Reason: it broke. IsReplay: "
	       "False. State: Failed. RuntimeStatus: Failed. HubName: MyHub. AppName: site1. "
	       "SlotName: . "
	       "ExtensionVersion: cfunc. SequenceNumber: N. TaskEventId: 0\n",
	       "activity failed");

	lines_in();
	report(RT_DURABLE_ACTIVITY, RT_DURABLE_STARTED, "i", "f", NULL, 0, 0);
	report(RT_DURABLE_ORCHESTRATOR, RT_DURABLE_FAILED, "i", "f", NULL, 0, -1);
	report(RT_DURABLE_ACTIVITY, RT_DURABLE_STARTED, "i", "f", "%s%n", 0, 0);
	report(RT_DURABLE_ACTIVITY, RT_DURABLE_STARTED, "i", "f",
	       "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", 0, 0);
	const char *out = lines_out();
	ok(strstr(out, "Input: (Redacted 0 characters)") != NULL, "no input: 0 characters");
	ok(strstr(out, "Reason: . IsReplay") != NULL, "no reason: empty");
	ok(strstr(out, "Input: (Redacted 4 characters)") != NULL, "an input is data, not a format");
	ok(strstr(out, "Input: (Redacted 6 characters)") != NULL,
	   "UTF-16 units: one per 2- and 3-byte character, two for a 4-byte one");
}

static void test_sequence(void)
{
	/* Unmasked: read the numbers themselves. */
	fflush(stdout);
	lines_in();
	report(RT_DURABLE_ACTIVITY, RT_DURABLE_STARTED, "i", "f", "1", 0, 0);
	report(RT_DURABLE_ACTIVITY, RT_DURABLE_COMPLETED, "i", "f", "1", 0, 0);
	report(RT_DURABLE_ACTIVITY, RT_DURABLE_FAILED, "i", "f", "x", 0, 0);
	dup2(saved_stdout, STDOUT_FILENO);
	close(saved_stdout);
	FILE *f = fopen(captured, "r");
	char text[4096];
	size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	if (f)
		fclose(f);
	remove(captured);
	text[n] = '\0';
	long a = seq_after(text, 0), b = seq_after(text, 1), c = seq_after(text, 2);
	ok(a >= 0 && b == a + 1 && c == b + 1, "SequenceNumber counts every line (%ld %ld %ld)", a,
	   b, c);
}

static void test_levels(void)
{
	lines_in();
	report(RT_DURABLE_ACTIVITY, RT_DURABLE_STARTED, "i", "hidden", "1", 0, 0);
	report(RT_DURABLE_ACTIVITY, RT_DURABLE_COMPLETED, "i", "hidden", "1", 0, 0);
	is_str(lines_out(), "",
	       "logLevel Function.hidden None hides its started and completed lines");

	lines_in();
	report(RT_DURABLE_ACTIVITY, RT_DURABLE_FAILED, "i", "hidden", "x", 0, 0);
	ok(strstr(lines_out(), "i: Function 'hidden (Activity)' failed with an error.") != NULL,
	   "its failures still show: they are Host.Triggers.DurableTask at Error");

	hide_failures = 1;
	lines_in();
	report(RT_DURABLE_ORCHESTRATOR, RT_DURABLE_FAILED, "i", "shown", "x", 0, -1);
	is_str(lines_out(), "", "Host.Triggers.DurableTask None hides the failures");
	hide_failures = 0;
}

static void test_invocations(void)
{
	struct rt_invocation inv = {.function = "counter"};
	lines_in();
	host_log_invocation(&inv, RT_INVOCATION_START);
	inv.extra = ", Operations=3";
	host_log_invocation(&inv, RT_INVOCATION_END);
	const char *out = lines_out();
	char want[200];
	snprintf(want, sizeof(want), "Executing 'Functions.counter' (Reason='(null)', Id=%s)\n",
		 inv.id);
	ok(strlen(inv.id) == 36 && strncmp(out, want, strlen(want)) == 0,
	   "Executing with func's (null) reason and a new id");
	snprintf(want, sizeof(want),
		 "Executed 'Functions.counter' (Succeeded, Id=%s, Duration=", inv.id);
	ok(strstr(out, want) != NULL && strstr(out, "ms, Operations=3)\n") != NULL,
	   "Executed with the same id, a duration and the entity's operations");

	struct rt_invocation failed = {.function = "hidden"};
	lines_in();
	host_log_invocation(&failed, RT_INVOCATION_START);
	failed.failed = 1;
	host_log_invocation(&failed, RT_INVOCATION_END);
	is_str(lines_out(), "", "a category set to None hides both");
}

int main(void)
{
	setenv("WEBSITE_SITE_NAME", "site1", 1);
	unsetenv("WEBSITE_SLOT_NAME");
	host_log_init(0, level_of, NULL);
	host_function_lines_init("MyHub");
	subtest("the extension's lines", test_lines);
	subtest("sequence numbers", test_sequence);
	subtest("logging.logLevel", test_levels);
	subtest("the invocation pair", test_invocations);
	return done_testing();
}
