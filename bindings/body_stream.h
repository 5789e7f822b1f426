/*
 * body_stream.h - a response body produced piece by piece while the client
 * reads it, for answers too large to build whole in memory (a status with
 * thousands of history events).
 *
 * A host endpoint that may stream (bind_http.stream_ok) sets
 * bind_http.resp_stream instead of a body; the status and headers are set
 * as usual. From then on the host owns the stream: on its event-loop thread
 * it calls fill() each time the connection has sent the previous piece, and
 * close() exactly once - after the last piece, or when the client went away
 * first - before it frees the request's arena. Everything the stream reads
 * must therefore live in that arena (or be owned by the stream itself).
 */
#ifndef BIND_BODY_STREAM_H
#define BIND_BODY_STREAM_H

#include <stddef.h>

struct bind_body_stream {
	/*
	 * Writes the next bytes of the body into buf (1..cap of them unless the
	 * body is over) and returns their count; sets *last to 1 with the final
	 * piece (which may be empty). Runs on the loop thread: no blocking, and
	 * a bounded amount of work per call.
	 */
	size_t (*fill)(struct bind_body_stream *s, char *buf, size_t cap, int *last);
	/* Frees what the stream owns outside the arena. */
	void (*close)(struct bind_body_stream *s);
};

#endif
