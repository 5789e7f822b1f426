/*
 * Unit tests for host/request_head.c: body framing read from a raw HTTP/1
 * head, the way h2o leaves it in the connection's input buffer.
 */
#include "host/http/request_head.h"

#include "tap.h"

#include <string.h>

static enum host_head_framing framing(const char *raw, int64_t *length)
{
	size_t head_len = 0;
	return host_head_framing(raw, strlen(raw), length, &head_len);
}

static void lengths(void)
{
	int64_t n;
	is_int(framing("POST /a HTTP/1.1\r\nhost: x\r\ncontent-length: 12\r\n\r\nbody", &n),
	       HOST_HEAD_LENGTH, "one Content-Length");
	is_int(n, 12, "its value");
	is_int(framing("POST /a HTTP/1.1\r\nContent-Length:7\r\n\r\n", &n), HOST_HEAD_LENGTH,
	       "no space after the colon, mixed case");
	is_int(n, 7, "its value");
	is_int(framing("POST /a HTTP/1.1\r\ncontent-length:  3 \t\r\n\r\n", &n), HOST_HEAD_LENGTH,
	       "blanks around the value");
	is_int(n, 3, "blanks ignored");
	is_int(framing("POST /a HTTP/1.1\r\ncontent-length: 1x\r\n\r\n", &n), HOST_HEAD_LENGTH,
	       "a bad value is still one length");
	is_int(n, -1, "reported as -1 (h2o answers it 400)");
	is_int(framing("POST /a HTTP/1.1\r\ncontent-length: 99999999999999999999999\r\n\r\n", &n),
	       HOST_HEAD_LENGTH, "an overflowing value");
	is_int(n, -1, "reported as -1, not wrapped");
	is_int(framing("POST /a HTTP/1.1\nContent-Length: 5\n\nhello", &n), HOST_HEAD_LENGTH,
	       "bare LF line ends");
	is_int(n, 5, "its value");
}

static void conflicts(void)
{
	int64_t n;
	is_int(framing("POST /a HTTP/1.1\r\ncontent-length: 5\r\ncontent-length: 50\r\n\r\n", &n),
	       HOST_HEAD_CONFLICT, "two different Content-Length values");
	is_int(framing("POST /a HTTP/1.1\r\ncontent-length: 5\r\nContent-Length: 5\r\n\r\n", &n),
	       HOST_HEAD_CONFLICT, "two equal Content-Length values are refused too");
	is_int(framing("POST /a HTTP/1.1\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n",
		       &n),
	       HOST_HEAD_CONFLICT, "Content-Length with Transfer-Encoding");
	is_int(framing("POST /a HTTP/1.1\r\ntransfer-encoding: chunked\r\ncontent-length: 5\r\n\r\n",
		       &n),
	       HOST_HEAD_CONFLICT, "Transfer-Encoding first, then Content-Length");
	is_int(framing("POST /a HTTP/1.1\r\ntransfer-encoding: chunked\r\ntransfer-encoding: chunked\r\n\r\n",
		       &n),
	       HOST_HEAD_CONFLICT, "two Transfer-Encoding fields");
}

static void others(void)
{
	int64_t n;
	size_t head_len = 0;
	const char *raw = "GET /a HTTP/1.1\r\nhost: x\r\n\r\n";
	is_int(host_head_framing(raw, strlen(raw), &n, &head_len), HOST_HEAD_NO_BODY, "no body");
	is_int(head_len, strlen(raw), "head length includes the blank line");
	is_int(framing("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello", &n),
	       HOST_HEAD_CHUNKED, "chunked");
	is_int(framing("POST /a HTTP/1.1\r\ncontent-length: 5\r\n", &n), HOST_HEAD_INCOMPLETE,
	       "no blank line yet");
	is_int(framing("POST /a HTTP/1.1\r\ncontent-length: 5\r\n\r", &n), HOST_HEAD_INCOMPLETE,
	       "half a blank line");
	is_int(framing("", &n), HOST_HEAD_INCOMPLETE, "nothing");
	is_int(framing("POST /a HTTP/1.1\r\nx-content-length: 5\r\ncontent-lengthx: 6\r\n\r\n", &n),
	       HOST_HEAD_NO_BODY, "names that only contain the words");
	is_int(framing("POST /a HTTP/1.1\r\nx: y\r\n\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\n",
		       &n),
	       HOST_HEAD_NO_BODY, "fields in the body are not the head's");
	is_int(framing("POST /content-length: HTTP/1.1\r\n\r\n", &n), HOST_HEAD_NO_BODY,
	       "the request line is not a field");
}

int main(void)
{
	subtest("lengths", lengths);
	subtest("conflicts", conflicts);
	subtest("others", others);
	return done_testing();
}
