/*
 * job_answer.c - a finished request job's answer, whole or streamed
 * (job_answer.h).
 */
#include "host/http/job_answer.h"
#include "host/http/respond.h"
#include "host/http/server_conn.h"
#include "bindings/body_stream.h"

/*
 * A streamed body: the generator owns the job from here on and frees it
 * when h2o disposes of the request, whether the body went out in full or
 * the client left first. One piece is in flight at a time, so the memory a
 * stream holds is its own state plus STREAM_PIECE.
 */
#define STREAM_PIECE (64 * 1024)

struct stream_gen {
	h2o_generator_t super; /* first */
	struct req_job *job;
	char piece[STREAM_PIECE];
};

static void stream_proceed(h2o_generator_t *g, h2o_req_t *req)
{
	struct stream_gen *sg = (struct stream_gen *)g;
	struct bind_body_stream *st = sg->job->http.resp_stream;
	int last = 0;
	h2o_iovec_t piece = h2o_iovec_init(sg->piece, st->fill(st, sg->piece, STREAM_PIECE, &last));
	h2o_send(req, &piece, 1, last ? H2O_SEND_STATE_FINAL : H2O_SEND_STATE_IN_PROGRESS);
}

static void stream_stop(h2o_generator_t *g, h2o_req_t *req)
{
	/* The client went away: stream_dispose frees everything. */
	(void)g;
	(void)req;
}

static void stream_dispose(void *p)
{
	host_req_job_free(((struct stream_gen *)p)->job);
}

static void respond_stream(struct host_server *srv, struct req_job *job)
{
	h2o_req_t *req = job->req;
	struct stream_gen *sg = h2o_mem_alloc_shared(&req->pool, sizeof(*sg), stream_dispose);
	sg->super.proceed = stream_proceed;
	sg->super.stop = stream_stop;
	sg->job = job;
	/* The job now lives as long as the request: unhook the slot first, so
	 * that h2o's disposal does not reach it after stream_dispose. */
	if (job->slot)
		job->slot->job = NULL;
	job->slot = NULL;
	job->req = NULL;
	host_respond_head(srv, req, job->http.status, job->http.resp_headers, job->http.nresp);
	h2o_start_response(req, &sg->super);
	stream_proceed(&sg->super, req);
}

void host_job_answer(struct host_server *srv, struct req_job *job)
{
	if (__atomic_load_n(&job->http.commit_failed, __ATOMIC_ACQUIRE)) {
		/* A queued start did not commit: nothing may claim it did. */
		if (job->http.resp_stream) {
			job->http.resp_stream->close(job->http.resp_stream);
			job->http.resp_stream = NULL;
		}
		job->http.status = 500;
		job->http.nresp = 0;
		bind_http_set_json(&job->http, 500,
				   "{\"Message\":\"Something went wrong while processing your request\","
				   "\"ExceptionMessage\":\"the task hub could not commit the change\"}");
	}
	if (job->req) {
		job->answered = 1;
		srv->outstanding--;
		if (job->http.resp_stream) {
			respond_stream(srv, job);
			return;
		}
		host_respond(srv, job->req, job->http.status, job->http.resp_headers, job->http.nresp,
			     job->http.resp_body, job->http.resp_len);
		/* h2o holds its copy of the body until the response is sent. */
		if (job->ticket) {
			job->ticket->response_bytes += (int64_t)job->http.resp_len;
			srv->inflight_held += (int64_t)job->http.resp_len;
		}
	}
	host_req_job_free(job);
}
