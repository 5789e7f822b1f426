/*
 * episode.h - orchestrator episodes across the process boundary
 * (episode.c): the runtime's episode in/out as wire messages, and the
 * worker's side that replays them with the app's orchestrator.
 */
#ifndef HOST_WORKER_EPISODE_H
#define HOST_WORKER_EPISODE_H

#include "bindings/registry.h"
#include "common/wire.h"
#include "host/worker/history_cache.h"
#include "runtime/replay.h"

/* Host: appends the ORCH_REQUEST for `in` (scratch in in->arena), leaving
 * out the first `held` past events, which the worker holds (0: the whole
 * past; a count the past does not have is taken as 0): 0 or -1 (over the
 * frame limit). */
int host_episode_request(struct rt_wire_buf *b, uint64_t id, const struct rt_episode_in *in,
			 size_t held);
/* Host: 1 when the episode's past may have been rewritten since it was
 * last sent (a rewind arrives as a GenericEvent message and rewrites rows
 * in place, execution id unchanged): it must then be sent whole. */
int host_episode_may_rewrite(const struct rt_episode_in *in);

/* Host: the worker's ORCH_RESULT as the runtime's episode out (in `a`):
 * 0, or -1 with *err for events or actions that do not decode. */
int host_episode_result(const struct rt_wire_orch_result *m, struct rt_episode_out *out,
			struct rt_arena *a, const char **err);

/* One action as bytes (in `a`), and back: 0, or -1 for bytes that are
 * not an action (unknown kind, no message, a field that does not decode). */
struct rt_wire_bytes host_episode_action_encode(const struct rt_action *act, struct rt_arena *a);
int host_episode_action_decode(const struct rt_wire_bytes *in, struct rt_action *act,
			       struct rt_arena *a);

/* Worker: replays the episode with the registered orchestrator and
 * appends its ORCH_RESULT; the past comes from and goes into `cache`
 * (a RESEND answer when the request counts on events it does not hold). */
void host_episode_serve(struct rt_wire_buf *b, const struct bind_registry *reg, uint64_t id,
			const struct rt_wire_orch_request *m, struct rt_arena *a,
			struct history_cache *cache, int64_t now_mono_us);

#endif
