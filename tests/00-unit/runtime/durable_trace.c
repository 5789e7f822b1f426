/*
 * Unit tests for runtime/durable_trace.c: the Durable extension's lines as
 * func prints them, with the instance id first, lengths counted as .NET
 * counts them, and a sequence number that never repeats.
 */
#include "runtime/durable_trace.h"

#include "common/arena.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long seq_of(const char *line)
{
	const char *p = strstr(line, "SequenceNumber: ");
	return p ? strtol(p + 16, NULL, 10) : -1;
}

/* The line with its SequenceNumber replaced by N, for exact comparison. */
static const char *masked(struct rt_arena *a, const char *line)
{
	const char *p = strstr(line, "SequenceNumber: ");
	if (!p)
		return line;
	const char *end = p + 16;
	while (*end >= '0' && *end <= '9')
		end++;
	return rt_arena_fmt(a, "%.*sSequenceNumber: N%s", (int)(p - line), line, end);
}

static void lines(void)
{
	struct rt_arena a;
	rt_arena_init(&a);
	rt_durable_trace_init("MyHub");

	is_str(masked(&a, rt_durable_trace_started(&a, RT_TRACE_ORCHESTRATOR, "abc", "hello_seq",
						    "\"Tokyo\"", -1)),
	       "abc: Function 'hello_seq (Orchestrator)' started. IsReplay: False. Input: (Redacted 7 "
	       "characters). State: Started. RuntimeStatus: Running. HubName: MyHub. AppName: . "
	       "SlotName: . ExtensionVersion: cfunc. SequenceNumber: N. TaskEventId: -1",
	       "orchestrator started");
	is_str(masked(&a, rt_durable_trace_completed(&a, RT_TRACE_ACTIVITY, "abc", "say_hello",
						      "\"Hello Tokyo!\"", 0, 2)),
	       "abc: Function 'say_hello (Activity)' completed. ContinuedAsNew: False. IsReplay: "
	       "False. Output: (Redacted 14 characters). State: Completed. RuntimeStatus: Completed. "
	       "HubName: MyHub. AppName: . SlotName: . ExtensionVersion: cfunc. SequenceNumber: N. "
	       "TaskEventId: 2",
	       "activity completed, with its task id");
	ok(strstr(rt_durable_trace_completed(&a, RT_TRACE_ORCHESTRATOR, "abc", "eternal", "1", 1, -1),
		  "' completed. ContinuedAsNew: True.") != NULL,
	   "continue-as-new says so");
	is_str(masked(&a, rt_durable_trace_failed(&a, RT_TRACE_ACTIVITY, "i-1", "boom", "it broke",
						   0)),
	       "i-1: Function 'boom (Activity)' failed with an error. Reason: it broke. IsReplay: "
	       "False. State: Failed. RuntimeStatus: Failed. HubName: MyHub. AppName: . SlotName: . "
	       "ExtensionVersion: cfunc. SequenceNumber: N. TaskEventId: 0",
	       "activity failed");
	ok(strstr(rt_durable_trace_started(&a, RT_TRACE_ACTIVITY, "i", "f", NULL, 0),
		  "Input: (Redacted 0 characters)") != NULL,
	   "no input: zero characters");
	ok(strstr(rt_durable_trace_failed(&a, RT_TRACE_ORCHESTRATOR, "i", "f", NULL, -1),
		  "Reason: . IsReplay") != NULL,
	   "no reason: empty, not (null)");
	ok(strstr(rt_durable_trace_started(&a, RT_TRACE_ACTIVITY, "i", "f", "%s%n", 0),
		  "Input: (Redacted 4 characters)") != NULL,
	   "format characters in the input are data");
	rt_arena_cleanup(&a);
}

static void sequence(void)
{
	struct rt_arena a;
	rt_arena_init(&a);
	long first = seq_of(rt_durable_trace_started(&a, RT_TRACE_ACTIVITY, "i", "f", "1", 0));
	long second = seq_of(rt_durable_trace_completed(&a, RT_TRACE_ACTIVITY, "i", "f", "1", 0, 0));
	long third = seq_of(rt_durable_trace_failed(&a, RT_TRACE_ACTIVITY, "i", "f", "x", 0));
	ok(first >= 0 && second == first + 1 && third == second + 1,
	   "every line takes the next number (%ld, %ld, %ld)", first, second, third);
	rt_arena_cleanup(&a);
}

static void utf16(void)
{
	is_int((int)rt_durable_trace_utf16_len(""), 0, "empty");
	is_int((int)rt_durable_trace_utf16_len(NULL), 0, "NULL");
	is_int((int)rt_durable_trace_utf16_len("abc"), 3, "ASCII: one unit per byte");
	is_int((int)rt_durable_trace_utf16_len("\xc3\xa9t\xc3\xa9"), 3, "two-byte sequences: one unit each");
	is_int((int)rt_durable_trace_utf16_len("\xe2\x82\xac"), 1, "three bytes (the euro sign): one unit");
	is_int((int)rt_durable_trace_utf16_len("\xf0\x9f\x98\x80!"), 3,
	       "beyond the BMP: a surrogate pair, two units");
}

int main(void)
{
	subtest("lines", lines);
	subtest("sequence", sequence);
	subtest("utf16", utf16);
	return done_testing();
}
