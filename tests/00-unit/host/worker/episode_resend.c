/*
 * Unit tests for the host's side of held histories (host/worker/
 * episode_calls.c, call_batch.c): against a stand-in episode worker on a
 * socketpair, an episode goes as a delta when the process's record says it
 * holds the start of the past; when the worker answers that it does not,
 * the same call sends it again whole at once (no crash counted, the
 * episode's result is the one the engine gets); a process with another pid
 * or start time is sent whole pasts.
 */
#include "host/worker/pool.h"

#include "common/arena.h"
#include "host/worker/episode.h"
#include "host/worker/history_held.h"
#include "runtime/history.h"
#include "tap.h"

#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct rt_arena arena;

/* What the stand-in worker was sent, request by request. */
#define SEEN_MAX 16
struct seen {
	uint32_t held;
	size_t npast;
};
static struct seen seen[SEEN_MAX];
static int nseen;

/* Answers RESEND to every request that counts on held events when
 * `refuse_held` is set, else a Running result with HELD. */
static int refuse_held;

static void *stand_in(void *arg)
{
	int fd = *(int *)arg;
	struct rt_wire_buf in, out;
	struct rt_arena a;
	rt_wire_buf_init(&in);
	rt_wire_buf_init(&out);
	rt_arena_init(&a);
	for (;;) {
		struct rt_wire_frame f;
		size_t used;
		const char *err;
		if (host_chan_read(fd, &in, RT_WIRE_MAX_FRAME, 0, &f, &used, &err) != HOST_CHAN_FRAME)
			break;
		struct rt_wire_orch_request m;
		if (f.type != RT_WIRE_ORCH_REQUEST || rt_wire_orch_request_decode(&f, &m, &a, &err))
			break;
		if (nseen < SEEN_MAX)
			seen[nseen++] = (struct seen){m.past_held, m.npast};
		struct rt_wire_orch_result r = {.status = 0, .held = 1};
		if (refuse_held && m.past_held)
			r = (struct rt_wire_orch_result){.resend = 1};
		rt_wire_orch_result_encode(&out, f.id, &r);
		rt_wire_buf_consume(&in, used);
		if (host_chan_write(fd, &out) != 0)
			break;
		rt_arena_reset(&a);
	}
	rt_wire_buf_cleanup(&in);
	rt_wire_buf_cleanup(&out);
	rt_arena_cleanup(&a);
	close(fd);
	return NULL;
}

static struct rt_event hist[5];

static int episode(struct host_workers *w, const struct bind_function *fn, size_t n_past,
		   struct rt_episode_out *out)
{
	struct rt_episode_in in = {.instance_id = "i1", .execution_id = "e1", .name = "seq",
				   .past = hist, .n_past = n_past, .arena = &arena};
	return host_workers_episode(w, fn, &in, out);
}

int main(void)
{
	rt_arena_init(&arena);
	for (int i = 0; i < 5; i++) {
		rt_event_init(&hist[i], i ? RT_EV_ORCHESTRATOR_STARTED : RT_EV_EXECUTION_STARTED);
		hist[i].timestamp_us = 1000 + i;
	}
	int sv[2];
	ok(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "a socketpair for the stand-in worker");
	pthread_t th;
	pthread_create(&th, NULL, stand_in, &sv[1]);

	/* One app, one episode worker: the stand-in. */
	static struct host_workers w;
	static struct wpool pool;
	static struct wproc proc;
	static struct bind_app app = {.name = "app"};
	struct bind_function fn = {.name = "seq", .kind = BIND_FN_ORCHESTRATOR, .app = &app};
	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&pool.idle, NULL);
	pool.app = &app;
	pool.procs = &proc;
	pool.n = pool.cap = 1;
	proc.pid = 4242;
	proc.started_us = 1;
	proc.fd = sv[0];
	proc.episodes = 1;
	rt_wire_buf_init(&proc.in);
	rt_wire_buf_init(&proc.out);
	w.pools = &pool;
	w.npools = w.cappools = 1;

	struct rt_episode_out out;
	is_int(episode(&w, &fn, 2, &out), 0, "a first episode runs");
	ok(nseen == 1 && seen[0].held == 0 && seen[0].npast == 2, "with its whole past of 2");
	is_int(episode(&w, &fn, 4, &out), 0, "the next one runs");
	ok(nseen == 2 && seen[1].held == 2 && seen[1].npast == 2,
	   "as a delta: the 2 held left out, the 2 new sent");

	refuse_held = 1; /* the worker dropped it meanwhile */
	is_int(episode(&w, &fn, 5, &out), 0, "an episode the worker no longer holds still runs");
	ok(nseen == 4 && seen[2].held == 4 && seen[2].npast == 1 && seen[3].held == 0 &&
	   seen[3].npast == 5, "sent as a delta, answered resend, sent again whole at once");
	ok(out.status == RT_ST_RUNNING && !out.error, "the engine gets the whole-past result");
	struct host_workers_stats st;
	host_workers_get_stats(&w, &st);
	ok(st.episodes_delta == 2 && st.episodes_full == 2 && st.episodes_resent == 1,
	   "counted: 2 deltas, 2 whole, 1 resent (%ld, %ld, %ld)", st.episodes_delta,
	   st.episodes_full, st.episodes_resent);
	is_int(st.crashes, 0, "and no worker death");

	refuse_held = 0;
	proc.pid = 4243; /* a replacement in the same slot */
	is_int(episode(&w, &fn, 5, &out), 0, "an episode on a replacement process runs");
	ok(nseen == 5 && seen[4].held == 0 && seen[4].npast == 5, "with the whole past");

	shutdown(sv[0], SHUT_RDWR);
	pthread_join(th, NULL);
	close(sv[0]);
	history_held_free(proc.held);
	rt_wire_buf_cleanup(&proc.in);
	rt_wire_buf_cleanup(&proc.out);
	rt_arena_cleanup(&arena);
	return done_testing();
}
