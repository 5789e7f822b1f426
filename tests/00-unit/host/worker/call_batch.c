/*
 * Unit tests for host/worker/call_batch.c through host_workers_http_batch
 * (calls.c): two HTTP calls in ONE batch to a fake worker on a socketpair.
 * The worker answers the first at once and the second only when the test
 * lets it (a pipe the test writes to); the first call's answer must be
 * delivered (answered hook fired, response filled in) before the test lets
 * the second go. Also: replies that arrive together are delivered with
 * `more` set, so that the HTTP side hands them back in one message; and a
 * failed app settles every call once.
 */
#include "host/worker/pool.h"

#include "bindings/http_trigger.h"
#include "bindings/registry.h"
#include "common/arena.h"
#include "common/clock.h"
#include "host/worker/channel.h"
#include "tap.h"

#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NCALLS 2
#define WAIT_MS 10000 /* bounded waits: a broken batch fails, it does not hang */

static struct bind_app app;
static struct bind_function fn;
static struct host_workers w;
static struct wpool pool;
static struct wproc proc;
static int worker_fd = -1;
static int release_pipe[2]; /* test -> fake worker: answer the second call */
static int answered_pipe[2]; /* answered hook -> test: index, then `more` */

/* What the batch thread saw, read by the test after it joined. */
static struct bind_http hs[NCALLS];
static struct rt_arena arenas[NCALLS];
static enum host_workers_rc rcs[NCALLS];
static const char *whys[NCALLS];
static int times_answered[NCALLS];
static int more_seen[NCALLS];

static void answered(void *arg, size_t i, int more)
{
	(void)arg;
	times_answered[i]++;
	more_seen[i] = more;
	unsigned char msg[2] = {(unsigned char)i, (unsigned char)more};
	if (write(answered_pipe[1], msg, sizeof(msg)) != (ssize_t)sizeof(msg))
		abort();
}

static void *batch_main(void *arg)
{
	(void)arg;
	const struct bind_function *fns[NCALLS];
	struct bind_http *hps[NCALLS];
	const char *ids[NCALLS] = {"inv-0", "inv-1"};
	for (size_t i = 0; i < NCALLS; i++) {
		fns[i] = &fn;
		hps[i] = &hs[i];
	}
	host_workers_http_batch(&w, NCALLS, fns, hps, ids, whys, rcs, answered, NULL);
	return NULL;
}

/* 1 when fd is readable within ms. */
static int readable(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	return poll(&p, 1, ms) == 1;
}

/* The next answered hook's call (-1: none within ms); *more its flag. */
static int next_answered(int ms, int *more)
{
	unsigned char msg[2];
	if (!readable(answered_pipe[0], ms) || read(answered_pipe[0], msg, 2) != 2)
		return -1;
	*more = msg[1];
	return msg[0];
}

/* The fake worker: reads the batch's requests, then answers per `together`:
 * 0 the first at once and the second when released, 1 both in one write. */
struct fake {
	int together;
	uint64_t ids[NCALLS];
	char names[NCALLS][32];
	int got;
};

static void reply(struct rt_wire_buf *out, uint64_t id, const char *body)
{
	struct rt_wire_http_response res = {.status = 200, .body = {body, strlen(body)}};
	if (rt_wire_http_response_encode(out, id, &res) != 0)
		abort();
}

static void *worker_main(void *arg)
{
	struct fake *fk = arg;
	struct rt_wire_buf in, out;
	struct rt_arena a;
	rt_wire_buf_init(&in);
	rt_wire_buf_init(&out);
	rt_arena_init(&a);
	int64_t deadline = rt_mono_us() + WAIT_MS * 1000LL;
	while (fk->got < NCALLS) {
		struct rt_wire_frame f;
		struct rt_wire_http_request req;
		size_t used = 0;
		const char *err = NULL;
		if (host_chan_read(worker_fd, &in, RT_WIRE_MAX_FRAME, deadline, &f, &used, &err) !=
			    HOST_CHAN_FRAME ||
		    rt_wire_http_request_decode(&f, &req, &a, &err) != 0)
			break;
		fk->ids[fk->got] = f.id;
		snprintf(fk->names[fk->got], sizeof(fk->names[0]), "%s", req.invocation);
		fk->got++;
		rt_wire_buf_consume(&in, used);
	}
	if (fk->got == NCALLS) {
		reply(&out, fk->ids[0], "first");
		if (!fk->together) {
			host_chan_write(worker_fd, &out);
			char c;
			if (!readable(release_pipe[0], WAIT_MS) || read(release_pipe[0], &c, 1) != 1)
				fk->got = -1; /* never released: the test failed already */
		}
		reply(&out, fk->ids[1], "second");
		host_chan_write(worker_fd, &out);
	}
	rt_wire_buf_cleanup(&in);
	rt_wire_buf_cleanup(&out);
	rt_arena_cleanup(&a);
	return NULL;
}

static void setup(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0 || pipe(release_pipe) != 0 ||
	    pipe(answered_pipe) != 0)
		abort();
	app.name = "fake";
	fn.name = "f";
	fn.kind = BIND_FN_HTTP;
	fn.app = &app;
	pthread_mutex_init(&w.lock, NULL);
	w.opts.timeout_ms = WAIT_MS;
	w.pools = &pool;
	w.npools = 1;
	w.cappools = 1;
	pool.app = &app;
	pool.procs = &proc;
	pool.n = pool.cap = 1;
	pthread_cond_init(&pool.idle, NULL);
	proc.fd = sv[0];
	proc.phase = WPROC_UP;
	rt_wire_buf_init(&proc.in);
	rt_wire_buf_init(&proc.out);
	worker_fd = sv[1];
}

static void calls_init(void)
{
	for (size_t i = 0; i < NCALLS; i++) {
		rt_arena_init(&arenas[i]);
		bind_http_init(&hs[i], &fn, &arenas[i]);
		hs[i].method = "GET";
		hs[i].url = "http://localhost/api/f";
		hs[i].base_url = "http://localhost";
		hs[i].path = "/api/f";
		hs[i].raw_query = "";
		hs[i].body = "";
		rcs[i] = HOST_WORKERS_CRASHED;
		whys[i] = NULL;
		times_answered[i] = 0;
		more_seen[i] = -1;
	}
}

static void calls_cleanup(void)
{
	for (size_t i = 0; i < NCALLS; i++) {
		rt_arena_cleanup(&arenas[i]);
	}
}

static int body_is(const struct bind_http *h, const char *want)
{
	return h->resp_body && h->resp_len == strlen(want) &&
	       memcmp(h->resp_body, want, h->resp_len) == 0;
}

/* The first answer is delivered while the second call still runs. */
static void test_first_not_held(void)
{
	struct fake fk = {.together = 0};
	pthread_t bt, wt;
	int more = -1;
	calls_init();
	pthread_create(&wt, NULL, worker_main, &fk);
	pthread_create(&bt, NULL, batch_main, NULL);
	int first = next_answered(WAIT_MS, &more);
	is_int(first, 0, "the first call of the batch is answered while the second is held");
	ok(first == 0 && hs[0].status == 200 && body_is(&hs[0], "first") && rcs[0] == HOST_WORKERS_OK,
	   "… with its response in place (200 \"first\")");
	is_int(more, 0, "… and handed back at once (the second reply is not here)");
	is_int(times_answered[1], 0, "the second call is not answered before it is released");
	char c = 'r';
	if (write(release_pipe[1], &c, 1) != 1)
		abort();
	is_int(next_answered(WAIT_MS, &more), 1, "the second call is answered once released");
	pthread_join(bt, NULL);
	pthread_join(wt, NULL);
	is_int(fk.got, NCALLS, "both requests went to the worker in one batch");
	is_str(fk.names[0], "inv-0", "… in order");
	ok(hs[1].status == 200 && body_is(&hs[1], "second") && rcs[1] == HOST_WORKERS_OK,
	   "the second call has its own response");
	ok(times_answered[0] == 1 && times_answered[1] == 1, "each call is answered exactly once");
	ok(!readable(answered_pipe[0], 0), "and nothing else is");
	ok(!proc.busy, "the worker is idle again");
	calls_cleanup();
}

/* Replies read in together: the first says more follow. */
static void test_together(void)
{
	struct fake fk = {.together = 1};
	pthread_t bt, wt;
	calls_init();
	pthread_create(&wt, NULL, worker_main, &fk);
	pthread_create(&bt, NULL, batch_main, NULL);
	pthread_join(bt, NULL);
	pthread_join(wt, NULL);
	int m0 = -1, m1 = -1;
	int a0 = next_answered(WAIT_MS, &m0), a1 = next_answered(WAIT_MS, &m1);
	ok(a0 == 0 && a1 == 1, "replies that come together are answered in order");
	/* Both replies went in one write, so one read takes both in: the
	 * first settles with the second already there. */
	is_int(m0, 1, "the first says another answer is ready (one hand-back for both)");
	is_int(m1, 0, "the last one of the batch is handed back at once");
	ok(body_is(&hs[0], "first") && body_is(&hs[1], "second"), "each has its own response");
	calls_cleanup();
}

/* A failed app: no worker runs either call; each is settled once. */
static void test_failed_app(void)
{
	calls_init();
	pool.failed = 1;
	batch_main(NULL);
	pool.failed = 0;
	int m0 = -1, m1 = -1;
	int a0 = next_answered(WAIT_MS, &m0), a1 = next_answered(WAIT_MS, &m1);
	ok(a0 == 0 && a1 == 1 && times_answered[0] == 1 && times_answered[1] == 1,
	   "a failed app's calls are each answered once");
	ok(rcs[0] == HOST_WORKERS_APP_FAILED && hs[0].status == 503 && hs[1].status == 503,
	   "… with the 503");
	ok(m0 == 1 && m1 == 0, "… the first saying another follows at once");
	calls_cleanup();
}

int main(void)
{
	setup();
	test_first_not_held();
	test_together();
	test_failed_app();
	close(worker_fd);
	close(proc.fd);
	rt_wire_buf_cleanup(&proc.in);
	rt_wire_buf_cleanup(&proc.out);
	return done_testing();
}
