/*
 * fuzz/gen_history_seeds.c - writes the seed corpus of fuzz/history.c:
 * encoded events of realistic orchestration histories, one file per event
 * type plus a few whole histories (events back to back) and edge values.
 *
 *   make fuzz-seeds      (runs build/fuzz/gen_history_seeds fuzz/corpus/history)
 *
 * Not a fuzz target (the Makefile skips fuzz/gen_*.c); built with the
 * project's normal compiler against build/libcfunc.a.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/history.h"

static const char *dir;

static void write_seed(const char *name, const unsigned char *buf, size_t len)
{
	char path[512];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static void one(const char *name, const struct rt_event *ev)
{
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;
	rt_history_encode(ev, &buf, &len, &cap);
	write_seed(name, buf, len);
	free(buf);
}

int main(int argc, char **argv)
{
	const int64_t t0 = INT64_C(1704164645678901); /* 2024-01-02T03:04:05.678901Z */
	struct rt_event h[8];
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s <corpus dir>\n", argv[0]);
		return 2;
	}
	dir = argv[1];

	/* A Hello-cities orchestration: started, scheduled, completed, done. */
	rt_event_init(&h[0], RT_EV_ORCHESTRATOR_STARTED);
	h[0].timestamp_us = t0;
	rt_event_init(&h[1], RT_EV_EXECUTION_STARTED);
	h[1].timestamp_us = t0;
	h[1].name = "HelloCities";
	h[1].input = "{\"cities\":[\"Tokyo\",\"Seattle\",\"Tōkyō\"]}";
	h[1].instance_id = "7f9c2b1e4a2d4f6b9d3c1a0e8b7f6d5c";
	h[1].execution_id = "0123456789abcdef0123456789abcdef";
	rt_event_init(&h[2], RT_EV_TASK_SCHEDULED);
	h[2].event_id = 0;
	h[2].timestamp_us = t0 + 1000;
	h[2].name = "SayHello";
	h[2].input = "\"Tokyo\"";
	rt_event_init(&h[3], RT_EV_ORCHESTRATOR_COMPLETED);
	h[3].timestamp_us = t0 + 2000;
	rt_event_init(&h[4], RT_EV_TASK_COMPLETED);
	h[4].timestamp_us = t0 + 50000;
	h[4].task_scheduled_id = 0;
	h[4].result = "\"Hello Tokyo!\"";
	h[4].is_played = 1;
	rt_event_init(&h[5], RT_EV_EXECUTION_COMPLETED);
	h[5].event_id = 1;
	h[5].timestamp_us = t0 + 60000;
	h[5].result = "[\"Hello Tokyo!\"]";
	h[5].orchestration_status = RT_ST_COMPLETED;
	for (int i = 0; i < 6; i++)
		rt_history_encode(&h[i], &buf, &len, &cap);
	write_seed("history-hello", buf, len);
	for (int i = 0; i < 6; i++) {
		char name[32];
		snprintf(name, sizeof(name), "event-%s", rt_event_type_name(h[i].type));
		one(name, &h[i]);
	}

	struct rt_event ev;
	rt_event_init(&ev, RT_EV_TASK_FAILED);
	ev.event_id = 3;
	ev.task_scheduled_id = 2;
	ev.timestamp_us = t0;
	ev.reason = "Activity function 'SayHello' failed: boom";
	ev.details = "";
	one("event-TaskFailed", &ev);

	rt_event_init(&ev, RT_EV_TIMER_CREATED);
	ev.event_id = 4;
	ev.fire_at_us = t0 + INT64_C(3600000000);
	one("event-TimerCreated", &ev);
	rt_event_init(&ev, RT_EV_TIMER_FIRED);
	ev.task_scheduled_id = 4;
	ev.fire_at_us = -INT64_C(1234567); /* before the epoch */
	one("event-TimerFired", &ev);

	rt_event_init(&ev, RT_EV_SUB_ORCH_CREATED);
	ev.event_id = 5;
	ev.name = "Child";
	ev.instance_id = "child-1";
	ev.input = "null";
	one("event-SubOrchestrationInstanceCreated", &ev);

	rt_event_init(&ev, RT_EV_EXECUTION_STARTED);
	ev.name = "Child";
	ev.instance_id = "child-1";
	ev.execution_id = "fedcba9876543210fedcba9876543210";
	ev.parent_instance_id = "parent";
	ev.parent_execution_id = "0123456789abcdef0123456789abcdef";
	ev.parent_name = "Parent";
	ev.parent_task_id = 0x7fffffff;
	ev.timestamp_us = INT64_MAX;
	one("event-ExecutionStarted-child", &ev);

	rt_event_init(&ev, RT_EV_EVENT_RAISED);
	ev.name = "Approval";
	ev.input = "{\"approved\":true}";
	ev.timestamp_us = INT64_MIN;
	one("event-EventRaised", &ev);
	rt_event_init(&ev, RT_EV_EVENT_SENT);
	ev.event_id = 6;
	ev.name = "Ping";
	ev.instance_id = "other";
	ev.input = "";
	one("event-EventSent", &ev);

	rt_event_init(&ev, RT_EV_EXECUTION_TERMINATED);
	ev.input = "\"stopped by admin\"";
	one("event-ExecutionTerminated", &ev);
	rt_event_init(&ev, RT_EV_CONTINUE_AS_NEW);
	ev.result = "42";
	ev.orchestration_status = RT_ST_CONTINUED_AS_NEW;
	one("event-ContinueAsNew", &ev);
	rt_event_init(&ev, RT_EV_EXECUTION_SUSPENDED);
	ev.reason = "maintenance";
	one("event-ExecutionSuspended", &ev);
	rt_event_init(&ev, RT_EV_GENERIC);
	ev.data = "rewound";
	one("event-GenericEvent", &ev);
	rt_event_init(&ev, RT_EV_EXECUTION_REWOUND);
	one("event-ExecutionRewound-empty", &ev);
	free(buf);
	return 0;
}
