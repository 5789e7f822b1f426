/*
 * request_head.h - how an HTTP/1 request head frames its body, read from the
 * raw bytes.
 *
 * h2o 2.2.5 keeps Content-Length and Transfer-Encoding out of req->headers,
 * takes the first of two Content-Length values and lets Transfer-Encoding win
 * over Content-Length without closing the connection: a request a proxy in
 * front frames one way and h2o another (RFC 9112 section 6.3 asks for 400).
 * The head is still at the start of the connection's input buffer while the
 * request is read and handled, so the front end reads it there (and, before
 * the body has arrived, learns the Content-Length it announces).
 */
#ifndef HOST_REQUEST_HEAD_H
#define HOST_REQUEST_HEAD_H

#include <stddef.h>
#include <stdint.h>

enum host_head_framing {
	HOST_HEAD_INCOMPLETE, /* no blank line ending the head in the bytes given */
	HOST_HEAD_NO_BODY,    /* neither header */
	HOST_HEAD_LENGTH,     /* one Content-Length */
	HOST_HEAD_CHUNKED,    /* one Transfer-Encoding, no Content-Length */
	HOST_HEAD_CONFLICT,   /* two Content-Length (even equal), two Transfer-Encoding,
			       * or both: answered 400 and the connection closed */
};

/*
 * Reads the head at the start of buf[0..len). On HOST_HEAD_LENGTH *length is
 * the announced length, or -1 if it is not a plain decimal number (h2o
 * answers that 400 itself). *head_len (may be NULL) gets the head's size,
 * blank line included, when it is complete.
 */
enum host_head_framing host_head_framing(const char *buf, size_t len, int64_t *length,
					 size_t *head_len);

#endif
