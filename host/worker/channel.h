/*
 * channel.h - blocking frame I/O on the host <-> worker socket (common/wire.h),
 * for the side that waits for one reply at a time (a supervisor caller, the
 * worker's own loop). Callers own their buffers; nothing here allocates but
 * the input buffer's growth.
 */
#ifndef HOST_WORKER_CHANNEL_H
#define HOST_WORKER_CHANNEL_H

#include <stdint.h>

#include "common/wire.h"

enum host_chan_rc {
	HOST_CHAN_FRAME = 1,    /* *f is the next frame, in `in` until consumed */
	HOST_CHAN_EOF = 0,      /* the peer closed (or died) */
	HOST_CHAN_BROKEN = -1,  /* read error or a frame that can never be valid */
	HOST_CHAN_TIMEOUT = -2, /* nothing complete by the deadline */
};

/*
 * Waits for the next complete frame. `deadline_mono_us` 0 waits forever.
 * Bytes beyond the frame stay in `in`; after handling the frame the caller
 * drops it with rt_wire_buf_consume(in, *used). A frame over `max` is
 * BROKEN before its body is read.
 */
enum host_chan_rc host_chan_read(int fd, struct rt_wire_buf *in, size_t max,
				 int64_t deadline_mono_us, struct rt_wire_frame *f, size_t *used,
				 const char **err);

/*
 * host_chan_read on a socket whose receive timeout (SO_RCVTIMEO, set with
 * host_chan_set_read_timeout) is rcv_timeout_us: while that timeout cannot
 * take a read past the deadline, the read is not preceded by a poll (one
 * system call per wake-up instead of two). rcv_timeout_us 0: as
 * host_chan_read.
 */
enum host_chan_rc host_chan_read_timed(int fd, struct rt_wire_buf *in, size_t max,
				       int64_t deadline_mono_us, int64_t rcv_timeout_us,
				       struct rt_wire_frame *f, size_t *used, const char **err);
/* SO_RCVTIMEO: a blocking read returns EAGAIN after this long. 0 or -1. */
int host_chan_set_read_timeout(int fd, int64_t timeout_us);

/* Writes all of `out` and empties it: 0, or -1 (peer gone). */
int host_chan_write(int fd, struct rt_wire_buf *out);

/* As host_chan_write, for a write too large to trust the socket buffers
 * with (a batch of requests): whatever the peer sends meanwhile is
 * appended to `in` (not parsed), so a peer blocked writing its replies
 * cannot block us. */
int host_chan_write_draining(int fd, struct rt_wire_buf *out, struct rt_wire_buf *in);

#endif
