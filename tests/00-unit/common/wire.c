/*
 * Unit tests for common/wire.h: what a worker sends arrives as sent, in
 * batches and split at any byte; and what a broken or hostile worker sends
 * (truncated, oversized, wrong major, NUL in a string, lists over the limit,
 * missing required fields) is refused with a reason instead of read past.
 */
#include "common/wire.h"

#include "common/arena.h"
#include "common/xalloc.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static struct rt_arena arena;

/* Takes the one frame in `b`; returns 1 when it is complete and alone. */
static int only_frame(const struct rt_wire_buf *b, struct rt_wire_frame *f)
{
	size_t used;
	const char *err = NULL;
	return rt_wire_frame_next(b->data, b->len, RT_WIRE_MAX_FRAME, f, &used, &err) == 1 &&
	       used == b->len;
}

static void test_registration_round_trip(void)
{
	struct rt_wire_buf b;
	struct rt_wire_function fns[3] = {
		{.name = "hello", .kind = RT_WIRE_FN_HTTP, .methods = "GET,POST",
		 .route = "hello/{name?}", .auth = 1},
		{.name = "say_hello", .kind = RT_WIRE_FN_ACTIVITY},
		{.name = "tick", .kind = RT_WIRE_FN_TIMER, .schedule = "*/5 * * * * *", .flags = 1},
	};
	struct rt_wire_registration in = {.app = "samples", .fns = fns, .nfns = 3}, out;
	struct rt_wire_frame f;
	const char *err = NULL;

	rt_wire_buf_init(&b);
	is_int(rt_wire_registration_encode(&b, &in), 0, "registration encodes");
	ok(only_frame(&b, &f), "one complete frame");
	is_int(rt_wire_registration_decode(&f, &out, &arena, &err), 0, "and decodes");
	is_str(out.app, "samples", "app name");
	is_int(out.nfns, 3, "three functions");
	is_str(out.fns[0].route, "hello/{name?}", "route kept");
	is_str(out.fns[0].methods, "GET,POST", "methods kept");
	is_int(out.fns[0].auth, 1, "auth level kept");
	ok(out.fns[1].route == NULL && out.fns[1].methods == NULL, "absent fields stay absent");
	is_int(out.fns[1].kind, RT_WIRE_FN_ACTIVITY, "kind kept");
	is_str(out.fns[2].schedule, "*/5 * * * * *", "schedule kept");
	is_int(out.fns[2].flags, 1, "timer flags kept");
	ok(out.error == NULL, "no error");
	rt_wire_buf_cleanup(&b);
}

static void test_http_round_trip(void)
{
	struct rt_wire_buf b;
	struct rt_wire_kv hdrs[2] = {{"host", "127.0.0.1"}, {"x-empty", ""}};
	struct rt_wire_kv params[2] = {{"name", "tokyo"}, {"opt", NULL}};
	static const char body[] = "bin\0ary";
	struct rt_wire_http_request in = {
		.name = "hello", .invocation = "id-1", .method = "POST",
		.url = "http://127.0.0.1/api/hello?a=1", .base_url = "http://127.0.0.1",
		.path = "/api/hello", .query = "a=1", .headers = hdrs, .nheaders = 2,
		.params = params, .nparams = 2, .body = {body, sizeof(body) - 1},
	}, out;
	struct rt_wire_frame f;
	const char *err = NULL;

	rt_wire_buf_init(&b);
	is_int(rt_wire_http_request_encode(&b, 42, &in), 0, "HTTP request encodes");
	ok(only_frame(&b, &f), "one frame");
	is_int((long long)f.id, 42, "id kept");
	is_int(rt_wire_http_request_decode(&f, &out, &arena, &err), 0, "decodes");
	is_str(out.method, "POST", "method");
	is_str(out.query, "a=1", "query");
	is_int(out.nheaders, 2, "headers");
	is_str(out.headers[1].value, "", "an empty header value stays empty, not absent");
	is_int(out.nparams, 2, "params");
	ok(out.params[1].value == NULL, "an unmatched optional parameter stays NULL");
	is_int(out.body.len, 7, "binary body length");
	ok(memcmp(out.body.data, body, 7) == 0, "binary body bytes, NUL included");

	struct rt_wire_http_response rin = {.status = 201, .headers = hdrs, .nheaders = 1,
					    .body = {"{}", 2}}, rout;
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	is_int(rt_wire_http_response_encode(&b, 42, &rin), 0, "response encodes");
	ok(only_frame(&b, &f), "one frame");
	is_int(rt_wire_http_response_decode(&f, &rout, &arena, &err), 0, "decodes");
	is_int(rout.status, 201, "status");
	is_str(rout.body.data, "{}", "body");
	is_int(rout.failed, 0, "not failed");
	rt_wire_buf_cleanup(&b);
}

static void test_durable_round_trip(void)
{
	struct rt_wire_buf b;
	struct rt_wire_frame f;
	const char *err = NULL;
	struct rt_wire_activity_request areq = {.name = "say_hello", .instance = "i1",
						.execution = "e1", .input = "\"Tokyo\"",
						.key = "i1:3:1", .task = 3, .attempt = 1}, aout;
	rt_wire_buf_init(&b);
	is_int(rt_wire_activity_request_encode(&b, 7, &areq), 0, "activity request encodes");
	ok(only_frame(&b, &f), "one frame");
	is_int(rt_wire_activity_request_decode(&f, &aout, &arena, &err), 0, "decodes");
	is_int(aout.task, 3, "task id");
	is_str(aout.key, "i1:3:1", "idempotency key");

	struct rt_wire_activity_result fail = {.failed = 1}, fout;
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_activity_result_encode(&b, 7, &fail);
	ok(only_frame(&b, &f), "one frame");
	is_int(rt_wire_activity_result_decode(&f, &fout, &arena, &err), 0, "failure decodes");
	is_str(fout.error, "activity failed", "a failure without a message still says something");

	struct rt_wire_bytes past[2] = {{"e1", 2}, {"e2", 2}}, fresh[1] = {{"n1", 2}};
	struct rt_wire_orch_request oreq = {.name = "hello_sequence", .instance = "i1",
					    .execution = "e1", .past = past, .npast = 2,
					    .fresh = fresh, .nfresh = 1}, oout;
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_orch_request_encode(&b, 8, &oreq);
	ok(only_frame(&b, &f), "one frame");
	is_int(rt_wire_orch_request_decode(&f, &oout, &arena, &err), 0, "episode request decodes");
	is_int(oout.npast, 2, "past events");
	is_int(oout.nfresh, 1, "new events");
	is_str(oout.past[1].data, "e2", "past events in order");

	is_int(oout.now_us, 0, "no time given: 0");
	struct rt_wire_bytes evs[1] = {{"h1", 2}}, acts[2] = {{"a1", 2}, {"a2", 2}};
	struct rt_wire_orch_result ores = {.status = 0, .custom_set = 1, .custom_status = "\"s\"",
					   .events = evs, .nevents = 1, .actions = acts,
					   .nactions = 2, .changed = 1}, rout;
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_orch_result_encode(&b, 8, &ores);
	ok(only_frame(&b, &f), "one frame");
	is_int(rt_wire_orch_result_decode(&f, &rout, &arena, &err), 0, "episode result decodes");
	is_int(rout.nactions, 2, "actions kept");
	is_int(rout.nevents, 1, "new history kept");
	is_str(rout.custom_status, "\"s\"", "custom status kept");
	ok(rout.custom_set && rout.changed, "flags kept");
	struct rt_wire_orch_result pend = {.status = 6};
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_orch_result_encode(&b, 8, &pend);
	ok(only_frame(&b, &f), "one frame");
	ok(rt_wire_orch_result_decode(&f, &rout, &arena, &err) == -1 && err,
	   "a status an episode cannot leave (Pending) is refused (%s)", err ? err : "");
	rt_wire_buf_cleanup(&b);
}

/* Minor 3: a request that leaves out held events, the worker's "resend"
 * and "held" answers; and episode lists longer than RT_WIRE_MAX_LIST (a
 * fan-out of 100,000 appends more events than that). */
static void test_held_and_long(void)
{
	struct rt_wire_buf b;
	struct rt_wire_frame f;
	const char *err = NULL;
	struct rt_wire_bytes past[1] = {{"e3", 2}};
	struct rt_wire_orch_request oreq = {.name = "seq", .instance = "i1", .execution = "x1",
					    .past = past, .npast = 1, .past_held = 3,
					    .past_tail = {"e2", 2}}, oout;
	rt_wire_buf_init(&b);
	rt_wire_orch_request_encode(&b, 9, &oreq);
	ok(only_frame(&b, &f), "one frame");
	is_int(rt_wire_orch_request_decode(&f, &oout, &arena, &err), 0, "a held-past request decodes");
	ok(oout.past_held == 3 && oout.npast == 1 && oout.past_tail.len == 2 &&
	   memcmp(oout.past_tail.data, "e2", 2) == 0, "held count, tail and the rest kept");
	oreq.execution = NULL;
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_orch_request_encode(&b, 9, &oreq);
	ok(only_frame(&b, &f) && rt_wire_orch_request_decode(&f, &oout, &arena, &err) == -1,
	   "held events without the execution they belong to are refused (%s)", err ? err : "");

	struct rt_wire_orch_result again = {.resend = 1}, held = {.status = 0, .held = 1}, rout;
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_orch_result_encode(&b, 9, &again);
	ok(only_frame(&b, &f) && rt_wire_orch_result_decode(&f, &rout, &arena, &err) == 0 &&
	   rout.resend && !rout.held, "a resend answer decodes without a status");
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_orch_result_encode(&b, 9, &held);
	ok(only_frame(&b, &f) && rt_wire_orch_result_decode(&f, &rout, &arena, &err) == 0 &&
	   rout.held && !rout.resend, "a held flag comes back");
	struct rt_wire_orch_result both = {.resend = 1, .events = past, .nevents = 1};
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_orch_result_encode(&b, 9, &both);
	ok(only_frame(&b, &f) && rt_wire_orch_result_decode(&f, &rout, &arena, &err) == -1,
	   "a resend answer that also carries a result is refused (%s)", err ? err : "");

	/* 250,000 events and 100,001 actions: over the general list limit,
	 * within the frame. */
	size_t ne = 250000, na = RT_WIRE_MAX_LIST + 1;
	struct rt_wire_bytes *evs = rt_arena_alloc(&arena, ne * sizeof(*evs));
	for (size_t i = 0; i < ne; i++)
		evs[i] = (struct rt_wire_bytes){"ev", 2};
	struct rt_wire_orch_result big = {.status = 0, .events = evs, .nevents = ne,
					  .actions = evs, .nactions = na};
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	is_int(rt_wire_orch_result_encode(&b, 9, &big), 0, "a fan-out's result fits a frame");
	ok(only_frame(&b, &f) && rt_wire_orch_result_decode(&f, &rout, &arena, &err) == 0 &&
	   rout.nevents == ne && rout.nactions == na,
	   "and decodes with all 250,000 events and 100,001 actions");
	struct rt_wire_orch_request fanin = {.name = "seq", .instance = "i1", .past = evs,
					     .npast = ne};
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_orch_request_encode(&b, 9, &fanin);
	ok(only_frame(&b, &f) && rt_wire_orch_request_decode(&f, &oout, &arena, &err) == 0 &&
	   oout.npast == ne, "a fan-in's past of 250,000 events decodes");
	rt_wire_buf_cleanup(&b);
}

/* A batch of frames in one buffer comes out whole however the bytes arrive. */
static void test_batch_split_anywhere(void)
{
	struct rt_wire_buf b;
	rt_wire_buf_init(&b);
	for (int i = 0; i < 5; i++) {
		struct rt_wire_log m = {.category = "Function.hello", .level = 2,
					.text = i % 2 ? "odd" : "even"};
		rt_wire_log_encode(&b, &m);
	}
	int all_ok = 1;
	for (size_t cut = 0; cut <= b.len; cut++) {
		/* First `cut` bytes, then the rest appended: as two reads. */
		unsigned char *in = xmalloc(b.len);
		size_t have = 0, at = 0;
		int frames = 0;
		memcpy(in, b.data, cut);
		have = cut;
		for (int round = 0; round < 2; round++) {
			for (;;) {
				struct rt_wire_frame f;
				size_t used;
				const char *err = NULL;
				int rc = rt_wire_frame_next(in + at, have - at, 1 << 20, &f, &used, &err);
				if (rc != 1) {
					if (rc < 0)
						all_ok = 0;
					break;
				}
				struct rt_wire_log m;
				if (rt_wire_log_decode(&f, &m, &arena, &err) != 0 ||
				    strcmp(m.text, frames % 2 ? "odd" : "even") != 0)
					all_ok = 0;
				frames++;
				at += used;
			}
			memcpy(in + cut, b.data + cut, b.len - cut);
			have = b.len;
		}
		if (frames != 5)
			all_ok = 0;
		free(in);
	}
	ok(all_ok, "five frames out of every split of the batch");
	rt_wire_buf_cleanup(&b);
}

static void test_hostile_frames(void)
{
	struct rt_wire_buf b;
	struct rt_wire_frame f;
	size_t used;
	const char *err = NULL;
	unsigned char hdr[RT_WIRE_HEADER] = {0};

	/* Header announcing a body over the limit: refused before the body. */
	hdr[0] = 0xff; hdr[1] = 0xff; hdr[2] = 0xff; hdr[3] = 0x7f;
	hdr[4] = RT_WIRE_LOG; hdr[5] = RT_WIRE_MAJOR;
	is_int(rt_wire_frame_next(hdr, sizeof(hdr), RT_WIRE_MAX_FRAME, &f, &used, &err), -1,
	       "a 2 GiB frame is refused from its header alone");
	hdr[0] = 0; hdr[1] = 4; hdr[2] = 0; hdr[3] = 0; /* 1 KiB */
	is_int(rt_wire_frame_next(hdr, sizeof(hdr), 512, &f, &used, &err), -1,
	       "a frame over the reader's own limit is refused");
	is_int(rt_wire_frame_next(hdr, sizeof(hdr), 4096, &f, &used, &err), 0,
	       "a frame within the limit waits for its body");
	is_int(used, RT_WIRE_HEADER + 1024, "and says how many bytes it needs");
	hdr[5] = RT_WIRE_MAJOR + 1;
	is_int(rt_wire_frame_next(hdr, sizeof(hdr), 4096, &f, &used, &err), -1,
	       "another major is refused");
	hdr[5] = RT_WIRE_MAJOR;
	hdr[4] = 0;
	is_int(rt_wire_frame_next(hdr, sizeof(hdr), 4096, &f, &used, &err), -1, "type 0 is refused");
	hdr[4] = RT_WIRE_TYPE_MAX + 1;
	is_int(rt_wire_frame_next(hdr, sizeof(hdr), 4096, &f, &used, &err), -1,
	       "an unknown type is refused");
	hdr[4] = RT_WIRE_LOG;
	hdr[6] = 1;
	is_int(rt_wire_frame_next(hdr, sizeof(hdr), 4096, &f, &used, &err), -1,
	       "flags are refused in this major");
	is_int(rt_wire_frame_next(hdr, 7, 4096, &f, &used, &err), 0, "a partial header waits");

	/* A field whose length runs past the frame. */
	rt_wire_buf_init(&b);
	rt_wire_begin(&b, RT_WIRE_LOG, 0);
	rt_wire_put_str(&b, RT_WT_TEXT, "hello");
	rt_wire_end(&b);
	b.data[RT_WIRE_HEADER + 2] = 200; /* field length 5 -> 200 */
	ok(only_frame(&b, &f), "frame itself is complete");
	struct rt_wire_log log;
	ok(rt_wire_log_decode(&f, &log, &arena, &err) == -1, "a field past the frame is refused");

	/* A NUL inside a string. */
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_begin(&b, RT_WIRE_LOG, 0);
	rt_wire_put_bytes(&b, RT_WT_TEXT, "a\0b", 3);
	rt_wire_end(&b);
	ok(only_frame(&b, &f), "frame");
	ok(rt_wire_log_decode(&f, &log, &arena, &err) == -1, "a NUL in a string is refused");

	/* An integer field of the wrong width. */
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_begin(&b, RT_WIRE_HTTP_RESPONSE, 1);
	rt_wire_put_bytes(&b, RT_WT_STATUS, "\xc8\0", 2);
	rt_wire_end(&b);
	ok(only_frame(&b, &f), "frame");
	struct rt_wire_http_response res;
	ok(rt_wire_http_response_decode(&f, &res, &arena, &err) == -1, "a 2-byte u32 is refused");

	/* Status that would not fit a status line. */
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_begin(&b, RT_WIRE_HTTP_RESPONSE, 1);
	rt_wire_put_u32(&b, RT_WT_STATUS, 12345);
	rt_wire_end(&b);
	ok(only_frame(&b, &f), "frame");
	ok(rt_wire_http_response_decode(&f, &res, &arena, &err) == -1, "status 12345 is refused");

	/* A list over the limit: counted, refused before any allocation. */
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_begin(&b, RT_WIRE_HTTP_RESPONSE, 1);
	rt_wire_put_u32(&b, RT_WT_STATUS, 200);
	for (int i = 0; i <= RT_WIRE_MAX_LIST; i++)
		rt_wire_put_pair(&b, RT_WT_HEADER, "h", "v");
	rt_wire_end(&b);
	ok(only_frame(&b, &f), "frame");
	ok(rt_wire_http_response_decode(&f, &res, &arena, &err) == -1 && err &&
	   strstr(err, "limit"), "headers over RT_WIRE_MAX_LIST are refused");

	/* A header without its NUL separator, and an empty name. */
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_begin(&b, RT_WIRE_HTTP_RESPONSE, 1);
	rt_wire_put_u32(&b, RT_WT_STATUS, 200);
	rt_wire_put_bytes(&b, RT_WT_HEADER, "novalue", 7);
	rt_wire_end(&b);
	ok(only_frame(&b, &f), "frame");
	ok(rt_wire_http_response_decode(&f, &res, &arena, &err) == -1,
	   "a header without a value is refused");
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_begin(&b, RT_WIRE_HTTP_RESPONSE, 1);
	rt_wire_put_u32(&b, RT_WT_STATUS, 200);
	rt_wire_put_bytes(&b, RT_WT_HEADER, "\0v", 2);
	rt_wire_end(&b);
	ok(only_frame(&b, &f), "frame");
	ok(rt_wire_http_response_decode(&f, &res, &arena, &err) == -1,
	   "a header with an empty name is refused");

	/* Required fields. */
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_begin(&b, RT_WIRE_REGISTRATION, 0);
	rt_wire_nest_open(&b, RT_WT_FUNCTION);
	rt_wire_put_str(&b, RT_WT_NAME, "f");
	rt_wire_nest_close(&b);
	rt_wire_end(&b);
	struct rt_wire_registration reg;
	ok(only_frame(&b, &f), "frame");
	ok(rt_wire_registration_decode(&f, &reg, &arena, &err) == -1,
	   "a registration without an app name is refused");
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_begin(&b, RT_WIRE_REGISTRATION, 0);
	rt_wire_put_str(&b, RT_WT_NAME, "app");
	rt_wire_nest_open(&b, RT_WT_FUNCTION);
	rt_wire_put_str(&b, RT_WT_NAME, "f");
	rt_wire_put_u32(&b, RT_WT_FN_KIND, 99);
	rt_wire_nest_close(&b);
	rt_wire_end(&b);
	ok(only_frame(&b, &f), "frame");
	ok(rt_wire_registration_decode(&f, &reg, &arena, &err) == -1,
	   "a function of an unknown kind is refused");

	/* Unknown tags are skipped (a newer minor adds fields). */
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_begin(&b, RT_WIRE_LOG, 0);
	rt_wire_put_str(&b, 999, "from a newer minor");
	rt_wire_put_str(&b, RT_WT_TEXT, "still read");
	rt_wire_end(&b);
	ok(only_frame(&b, &f), "frame");
	ok(rt_wire_log_decode(&f, &log, &arena, &err) == 0 && strcmp(log.text, "still read") == 0,
	   "an unknown tag is skipped");

	/* A decoder given another type's frame. */
	ok(rt_wire_http_response_decode(&f, &res, &arena, &err) == -1,
	   "a LOG frame is not an HTTP response");
	rt_wire_buf_cleanup(&b);
}

/* Timer runs and entity batches (minor 1): every field arrives, and what a
 * worker could get wrong in an entity result is refused with a reason. */
static void test_timer_entity(void)
{
	struct rt_wire_buf b;
	struct rt_wire_frame f;
	const char *err = NULL;

	rt_wire_buf_init(&b);
	struct rt_wire_timer_request treq = {.name = "tick", .invocation = "inv-1",
					     .info = "{\"IsPastDue\":false}"}, tout;
	rt_wire_timer_request_encode(&b, 3, &treq);
	ok(only_frame(&b, &f), "one timer frame");
	is_int(rt_wire_timer_request_decode(&f, &tout, &arena, &err), 0, "timer request decodes");
	is_str(tout.name, "tick", "timer name");
	is_str(tout.info, "{\"IsPastDue\":false}", "TimerInfo");
	is_str(tout.invocation, "inv-1", "invocation id");
	struct rt_wire_timer_result tres = {.failed = 1}, trout;
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_timer_result_encode(&b, 3, &tres);
	ok(only_frame(&b, &f), "one frame");
	is_int(rt_wire_timer_result_decode(&f, &trout, &arena, &err), 0, "timer result decodes");
	ok(trout.failed && trout.error, "a failure without a message still says something");

	struct rt_wire_entity_op ops[3] = {{"add", "5"}, {"get", NULL}, {"", NULL}};
	struct rt_wire_entity_request ereq = {.name = "box", .instance = "@box@k", .key = "k",
					      .state = "1", .keep_failed = 1, .ops = ops,
					      .nops = 3}, eout;
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_entity_request_encode(&b, 4, &ereq);
	ok(only_frame(&b, &f), "one entity frame");
	is_int(rt_wire_entity_request_decode(&f, &eout, &arena, &err), 0, "entity request decodes");
	is_int(eout.nops, 3, "every operation");
	is_str(eout.ops[0].input, "5", "an operation's input");
	ok(eout.ops[1].input == NULL, "no input stays none");
	is_str(eout.state, "1", "the state");
	is_int(eout.keep_failed, 1, "keep-failed");

	struct rt_wire_entity_action acts[2] = {
		{.kind = RT_WIRE_EACT_SIGNAL, .instance = "@box@other", .op = "add", .input = "1",
		 .at_us = 42},
		{.kind = RT_WIRE_EACT_START, .name = "orch"},
	};
	struct rt_wire_entity_outcome outs[3] = {
		{.result = "6", .state_kind = RT_WIRE_STATE_SET, .state = "6", .actions = acts,
		 .nactions = 2},
		{.result = "6"},
		{.failed = 1, .state_kind = RT_WIRE_STATE_DELETED},
	};
	struct rt_wire_entity_result eres = {.ops = outs, .nops = 3}, rout;
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_entity_result_encode(&b, 4, &eres);
	ok(only_frame(&b, &f), "one frame");
	is_int(rt_wire_entity_result_decode(&f, &rout, &arena, &err), 0, "entity result decodes");
	is_int(rout.nops, 3, "one outcome per operation");
	is_int(rout.ops[0].state_kind, RT_WIRE_STATE_SET, "a set state");
	is_str(rout.ops[0].state, "6", "… with its value");
	is_int(rout.ops[0].nactions, 2, "its actions");
	is_str(rout.ops[0].actions[0].instance, "@box@other", "a signal's target");
	is_int(rout.ops[0].actions[0].at_us, 42, "… and time");
	is_str(rout.ops[0].actions[1].name, "orch", "a start's orchestrator");
	is_int(rout.ops[1].state_kind, RT_WIRE_STATE_SAME, "an unchanged state");
	is_int(rout.ops[2].state_kind, RT_WIRE_STATE_DELETED, "a deleted state");
	ok(rout.ops[2].failed && rout.ops[2].error, "a failure without a message still says one");

	/* Hostile outcomes. */
	struct rt_wire_buf op;
	rt_wire_buf_init(&op);
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_begin(&b, RT_WIRE_ENTITY_RESULT, 4);
	rt_wire_nest_open(&b, RT_WT_E_OP);
	rt_wire_put_u32(&b, RT_WT_STATE_KIND, RT_WIRE_STATE_SET);
	rt_wire_nest_close(&b);
	rt_wire_end(&b);
	ok(only_frame(&b, &f), "frame");
	is_int(rt_wire_entity_result_decode(&f, &rout, &arena, &err), -1,
	       "a state said to be set but not given is refused");
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_begin(&b, RT_WIRE_ENTITY_RESULT, 4);
	rt_wire_nest_open(&b, RT_WT_E_OP);
	rt_wire_put_u32(&b, RT_WT_STATE_KIND, 7);
	rt_wire_nest_close(&b);
	rt_wire_end(&b);
	ok(only_frame(&b, &f), "frame");
	is_int(rt_wire_entity_result_decode(&f, &rout, &arena, &err), -1,
	       "an unknown state kind is refused");
	rt_wire_put_u32(&op, RT_WT_E_ACTION_KIND, RT_WIRE_EACT_SIGNAL);
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_begin(&b, RT_WIRE_ENTITY_RESULT, 4);
	rt_wire_nest_open(&b, RT_WT_E_OP);
	rt_wire_put_bytes(&b, RT_WT_E_ACTION, op.data, op.len);
	rt_wire_nest_close(&b);
	rt_wire_end(&b);
	ok(only_frame(&b, &f), "frame");
	is_int(rt_wire_entity_result_decode(&f, &rout, &arena, &err), -1,
	       "a signal without a target is refused");
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_begin(&b, RT_WIRE_ENTITY_RESULT, 4);
	rt_wire_nest_open(&b, RT_WT_E_OP);
	rt_wire_put_bytes(&b, RT_WT_E_ACTION, op.data, op.len - 1);
	rt_wire_nest_close(&b);
	rt_wire_end(&b);
	ok(only_frame(&b, &f), "frame");
	is_int(rt_wire_entity_result_decode(&f, &rout, &arena, &err), -1,
	       "a truncated action is refused");
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_begin(&b, RT_WIRE_ENTITY_RESULT, 4);
	for (int i = 0; i <= RT_WIRE_MAX_LIST; i++)
		rt_wire_put_bytes(&b, RT_WT_E_OP, "", 0);
	rt_wire_end(&b);
	ok(only_frame(&b, &f), "frame");
	is_int(rt_wire_entity_result_decode(&f, &rout, &arena, &err), -1,
	       "more outcomes than the list limit are refused");

	/* Hostile requests and actions, each refused with its own reason. */
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_begin(&b, RT_WIRE_ENTITY_REQUEST, 5);
	rt_wire_put_str(&b, RT_WT_NAME, "box");
	rt_wire_put_str(&b, RT_WT_INSTANCE, "@box@k");
	rt_wire_put_u32(&b, RT_WT_KEEP_FAILED, 2);
	rt_wire_end(&b);
	ok(only_frame(&b, &f), "frame");
	is_int(rt_wire_entity_request_decode(&f, &eout, &arena, &err), -1,
	       "a keep-failed flag other than 0 or 1 is refused");
	is_str(err, "bad keep-failed flag", "… saying which field");
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_begin(&b, RT_WIRE_ENTITY_REQUEST, 5);
	rt_wire_put_str(&b, RT_WT_NAME, "box");
	rt_wire_nest_open(&b, RT_WT_E_OP);
	rt_wire_put_str(&b, RT_WT_INPUT, "1");
	rt_wire_nest_close(&b);
	rt_wire_end(&b);
	ok(only_frame(&b, &f), "frame");
	is_int(rt_wire_entity_request_decode(&f, &eout, &arena, &err), -1,
	       "a request without an instance is refused");
	is_str(err, "entity request without name or instance", "… saying so");
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_begin(&b, RT_WIRE_ENTITY_REQUEST, 5);
	rt_wire_put_str(&b, RT_WT_NAME, "box");
	rt_wire_put_str(&b, RT_WT_INSTANCE, "@box@k");
	rt_wire_nest_open(&b, RT_WT_E_OP);
	rt_wire_put_str(&b, RT_WT_INPUT, "1");
	rt_wire_nest_close(&b);
	rt_wire_end(&b);
	ok(only_frame(&b, &f), "frame");
	is_int(rt_wire_entity_request_decode(&f, &eout, &arena, &err), 0,
	       "an operation without a name decodes");
	is_str(eout.ops[0].op, "", "… as the empty name");
	ok(eout.key && !*eout.key, "and a missing key is the empty key");
	rt_wire_buf_cleanup(&op);
	rt_wire_buf_init(&op);
	rt_wire_put_u32(&op, RT_WT_E_ACTION_KIND, RT_WIRE_EACT_SIGNAL);
	rt_wire_put_str(&op, RT_WT_INSTANCE, "@box@x");
	rt_wire_put_i64(&op, RT_WT_AT, -1);
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_begin(&b, RT_WIRE_ENTITY_RESULT, 4);
	rt_wire_nest_open(&b, RT_WT_E_OP);
	rt_wire_put_bytes(&b, RT_WT_E_ACTION, op.data, op.len);
	rt_wire_nest_close(&b);
	rt_wire_end(&b);
	ok(only_frame(&b, &f), "frame");
	is_int(rt_wire_entity_result_decode(&f, &rout, &arena, &err), -1,
	       "a signal time before the epoch is refused");
	is_str(err, "bad signal time", "… saying which field");
	rt_wire_buf_cleanup(&op);
	rt_wire_buf_init(&op);
	rt_wire_put_u32(&op, RT_WT_E_ACTION_KIND, RT_WIRE_EACT_START + 1);
	rt_wire_buf_cleanup(&b);
	rt_wire_buf_init(&b);
	rt_wire_begin(&b, RT_WIRE_ENTITY_RESULT, 4);
	rt_wire_nest_open(&b, RT_WT_E_OP);
	rt_wire_put_bytes(&b, RT_WT_E_ACTION, op.data, op.len);
	rt_wire_nest_close(&b);
	rt_wire_end(&b);
	ok(only_frame(&b, &f), "frame");
	is_int(rt_wire_entity_result_decode(&f, &rout, &arena, &err), -1,
	       "an unknown action kind is refused");
	is_str(err, "bad action kind", "… saying which field");
	rt_wire_buf_cleanup(&op);
	rt_wire_buf_cleanup(&b);
}

int main(void)
{
	rt_arena_init(&arena);
	subtest("registration", test_registration_round_trip);
	subtest("http", test_http_round_trip);
	subtest("durable work items", test_durable_round_trip);
	subtest("batches", test_batch_split_anywhere);
	subtest("hostile input", test_hostile_frames);
	subtest("timer runs and entity batches", test_timer_entity);
	subtest("held pasts and long episodes", test_held_and_long);
	rt_arena_cleanup(&arena);
	return done_testing();
}
