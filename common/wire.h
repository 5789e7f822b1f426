/*
 * wire.h - the host <-> worker protocol: framing, fields, and every message.
 *
 * The host runs no app code. Each app runs in worker processes that the host
 * starts (fork + exec of `cfunc worker`, one end of a socketpair inherited as
 * a file descriptor); this header is everything that crosses that socket.
 * The messages are the Durable Task work items (an orchestrator request:
 * instance, execution, past + new history events -> actions, custom status,
 * status; an activity request -> result or failure), plus HTTP invocations,
 * registration, console lines and the durable-client calls app code makes.
 * A later endpoint for out-of-tree workers (the Durable Task gRPC protocol)
 * can decode its own framing into the same message structs and reuse the
 * host's dispatch.
 *
 * Framing (all integers little-endian):
 *
 *   frame  := header body
 *   header := u32 body_len | u8 type | u8 major | u16 flags | u64 id   (16 bytes)
 *   body   := field*
 *   field  := u16 tag | u32 len | byte[len]
 *
 *   - body_len counts the bytes after the header; a frame whose body_len is
 *     over the reader's limit (RT_WIRE_MAX_FRAME at most) is refused before
 *     anything is buffered for it, and the peer is treated as broken.
 *   - `id` pairs a request with its reply (0 for messages that have none).
 *   - `major` is RT_WIRE_MAJOR; a frame of another major is refused. Flags
 *     must be 0 in this major.
 *   - Fields may come in any order; a tag may repeat where the message says
 *     so (a list), otherwise the last one wins. A tag a reader does not know
 *     is skipped: new fields are how a minor version adds things, and the
 *     minor is exchanged in HELLO so a sender knows what the other reads.
 *   - Strings are UTF-8 bytes without a terminating NUL; a string containing
 *     a NUL byte is refused. Bodies (HTTP) are any bytes. Integers are
 *     fields of exactly 8 bytes (i64/u64) or 4 (u32).
 *   - Batching: several frames go out in one write (all the jobs of one loop
 *     turn, all the episodes of one engine batch); a reader takes every
 *     complete frame out of its buffer per wake-up.
 *   - Order (minor 1): a worker may be sent several requests at once (HTTP
 *     requests, activity requests, orchestrator requests; from minor 2 entity
 *     requests too, all the entity batches of one engine batch). It runs them one
 *     at a time in the order sent and writes each reply as soon as it has
 *     it, so the first request without a reply is the one it was running
 *     when it died. While a request runs, its CLIENT_REPLY frames may
 *     arrive behind requests queued after it: the worker takes the reply
 *     and leaves those for later. (A worker of minor 0 expected one
 *     request at a time; the host only starts workers of its own binary.)
 *
 * Everything the host reads from a worker is untrusted: the decoders check
 * every length against what is left, bound every count (RT_WIRE_MAX_*), and
 * never read past the frame; the fuzz target fuzz/wire.c runs them on
 * arbitrary bytes.
 *
 * Ownership: the rt_wire_buf belongs to its caller. The decoders copy every
 * string into the arena they are given (NUL-terminated), so a decoded
 * message lives as long as that arena and not as long as the input buffer.
 */
#ifndef COMMON_WIRE_H
#define COMMON_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"

#define RT_WIRE_MAJOR 1
#define RT_WIRE_MINOR 2 /* 1: several requests in flight per worker; 2: timer runs and entity batches */

#define RT_WIRE_HEADER 16
#define RT_WIRE_MAX_FRAME (64u << 20)  /* a frame's body, all messages */
#define RT_WIRE_MAX_LIST 1000000        /* entries of one list in one message */

/* Message types. Requests go host -> worker unless marked (w). */
enum rt_wire_type {
	RT_WIRE_HELLO = 1,         /* (w) first frame: versions, pid */
	RT_WIRE_REGISTRATION = 2,  /* (w) the app's functions, or why it failed to load:
				    * the host loads no app and makes its registry
				    * (names, kinds, routes, methods, auth, schedules)
				    * from this alone; `error` is the line the host
				    * prints as it would for an app it refused itself */
	RT_WIRE_HTTP_REQUEST = 3,  /* an HTTP invocation */
	RT_WIRE_HTTP_RESPONSE = 4, /* (w) its answer (same id) */
	RT_WIRE_ACTIVITY_REQUEST = 5,
	RT_WIRE_ACTIVITY_RESULT = 6, /* (w) */
	RT_WIRE_ORCH_REQUEST = 7,    /* one episode: history in */
	RT_WIRE_ORCH_RESULT = 8,     /* (w) new history, actions, custom status, status */
	RT_WIRE_CLIENT_CALL = 9,     /* (w) a durable-client call made by app code */
	RT_WIRE_CLIENT_REPLY = 10,   /* its result (same id) */
	RT_WIRE_LOG = 11,            /* (w) one console line */
	RT_WIRE_SHUTDOWN = 12,       /* finish what runs, answer it, exit 0 */
	/* minor 1 */
	RT_WIRE_TIMER_REQUEST = 13,  /* one run of a timer function: TimerInfo in */
	RT_WIRE_TIMER_RESULT = 14,   /* (w) failed or not, and why */
	RT_WIRE_ENTITY_REQUEST = 15, /* one batch of one entity: state + operations in order */
	RT_WIRE_ENTITY_RESULT = 16,  /* (w) each operation's outcome, in order */
	RT_WIRE_TYPE_MAX = 16,
};

/* Field tags, per message. Tags below 16 mean the same in every message. */
enum rt_wire_tag {
	RT_WT_NAME = 1,          /* function name / app name (HELLO) */
	RT_WT_ERROR = 2,         /* a failure message */
	RT_WT_INVOCATION = 3,    /* console invocation id */
	RT_WT_INSTANCE = 4,
	RT_WT_EXECUTION = 5,
	RT_WT_INPUT = 6,         /* JSON text */
	RT_WT_OUTPUT = 7,        /* JSON text */

	/* HELLO */
	RT_WT_MINOR = 16,        /* u32 protocol minor the sender reads */
	RT_WT_PID = 17,          /* i64 */
	RT_WT_ABI = 18,          /* u32: app ABI major << 16 | minor */
	/* REGISTRATION */
	RT_WT_FUNCTION = 20,     /* list: nested fields (RT_WT_FN_*) */
	RT_WT_FN_KIND = 21,      /* u32 enum rt_wire_fn_kind */
	RT_WT_FN_METHODS = 22,   /* "GET,POST", absent = all */
	RT_WT_FN_ROUTE = 23,     /* absent = the name */
	RT_WT_FN_AUTH = 24,      /* u32 cf_auth_level */
	RT_WT_FN_SCHEDULE = 25,  /* timers */
	RT_WT_FN_FLAGS = 26,     /* u32 CF_TIMER_* */
	/* HTTP */
	RT_WT_METHOD = 30,
	RT_WT_URL = 31,
	RT_WT_BASE_URL = 32,
	RT_WT_PATH = 33,
	RT_WT_QUERY = 34,        /* raw query, after '?' */
	RT_WT_HEADER = 35,       /* list: name NUL value (the one NUL allowed) */
	RT_WT_PARAM = 36,        /* list: name NUL value; no NUL = unmatched optional */
	RT_WT_BODY = 37,         /* bytes */
	RT_WT_STATUS = 38,       /* u32 */
	/* ACTIVITY */
	RT_WT_TASK = 40,         /* i64 task id */
	RT_WT_ATTEMPT = 41,      /* i64 */
	RT_WT_KEY = 42,          /* idempotency key */
	RT_WT_FAILED = 43,       /* u32 1 = failed: ERROR is the message */
	/* ORCHESTRATION (events and actions are runtime-codec bytes, opaque here) */
	RT_WT_PAST = 50,         /* list: one encoded history event each */
	RT_WT_NEW = 51,          /* list: new messages (request), new history (result) */
	RT_WT_ACTION = 52,       /* list: one encoded action each (host/worker/episode.c) */
	RT_WT_CUSTOM_STATUS = 53, /* JSON text: committed (request), set (result) */
	RT_WT_NOW = 54,          /* i64 us: the episode's OrchestratorStarted time */
	RT_WT_MAX_ACTIONS = 55,  /* u32 maxOrchestrationActions */
	RT_WT_CHANGED = 56,      /* u32 1: the episode did more than append messages */
	RT_WT_CUSTOM_SET = 57,   /* u32 1: the code set (or cleared) its custom status */
	/* CLIENT */
	RT_WT_OP = 60,           /* "start", "status", "raise", ... */
	RT_WT_ARGS = 61,         /* JSON object */
	/* LOG */
	RT_WT_CATEGORY = 70,
	RT_WT_LEVEL = 71,        /* u32, host.json levels 0..6 */
	RT_WT_TEXT = 72,
	/* TIMER (minor 2): NAME, INVOCATION, INPUT (TimerInfo JSON) in;
	 * FAILED, ERROR out. */
	/* ENTITY (minor 2). Request: NAME (the entity function), INSTANCE
	 * ("@name@key"), KEY, STATE, KEEP_FAILED, E_OP list (nested: OP,
	 * INPUT). Result: ERROR (the batch could not run), E_OP list, one per
	 * operation asked, in order (nested: FAILED, OUTPUT = the result,
	 * ERROR = the failure, STATE_KIND, STATE, E_ACTION list). An action is
	 * bytes holding a run of fields (no frame header): E_ACTION_KIND,
	 * INSTANCE (the signal's target, or the started instance id), OP,
	 * INPUT, NAME (the orchestrator started), AT (signal time).
	 * Limits: at most RT_WIRE_MAX_LIST operations per request (a longer
	 * batch goes in several, the state carried from one to the next) and
	 * RT_WIRE_MAX_LIST actions per operation; the host refuses a result
	 * without exactly one outcome per operation asked, and checks every
	 * state, result and input as JSON and every signal target as an
	 * entity id before it applies any (host/worker/entity_calls.c). */
	RT_WT_STATE = 80,        /* JSON text; absent: the entity has no state */
	RT_WT_KEEP_FAILED = 81,  /* u32 1: a failed operation keeps its state change */
	RT_WT_E_OP = 82,         /* list: one operation each (nested) */
	RT_WT_STATE_KIND = 83,   /* u32 enum rt_wire_state_kind */
	RT_WT_E_ACTION = 84,     /* list in an operation: bytes, see above */
	RT_WT_E_ACTION_KIND = 85, /* u32 enum rt_wire_entity_action_kind */
	RT_WT_AT = 86,           /* i64 us; 0: at once */
};

/* What an entity operation left as the state. */
enum rt_wire_state_kind {
	RT_WIRE_STATE_SAME = 0,    /* the state it was given */
	RT_WIRE_STATE_SET = 1,     /* STATE */
	RT_WIRE_STATE_DELETED = 2, /* no state any more */
};

enum rt_wire_entity_action_kind {
	RT_WIRE_EACT_SIGNAL = 0, /* signal entity INSTANCE with OP, INPUT, at AT */
	RT_WIRE_EACT_START = 1,  /* start orchestrator NAME as INSTANCE (absent: new id) */
};

enum rt_wire_fn_kind {
	RT_WIRE_FN_HTTP = 0,
	RT_WIRE_FN_ORCHESTRATOR = 1,
	RT_WIRE_FN_ACTIVITY = 2,
	RT_WIRE_FN_TIMER = 3,
	RT_WIRE_FN_ENTITY = 4,
	RT_WIRE_FN_KIND_MAX = 4,
};

/* ---- writing ------------------------------------------------------------ */

/* A growing output buffer; frames are appended and written out together. */
struct rt_wire_buf {
	unsigned char *data;
	size_t len, cap;
	size_t frame;   /* offset of the frame being built */
	size_t nested;  /* offset of the open nested field, or SIZE_MAX */
};

void rt_wire_buf_init(struct rt_wire_buf *b);
void rt_wire_buf_cleanup(struct rt_wire_buf *b);
/* Makes room for at least n more bytes past len (for a reader filling the
 * buffer with read()); returns where they start. len does not move. */
unsigned char *rt_wire_buf_space(struct rt_wire_buf *b, size_t n);
/* Drops the first n bytes (written out, or a frame handled). */
void rt_wire_buf_consume(struct rt_wire_buf *b, size_t n);

/* Starts a frame; every put until rt_wire_end() adds a field to it. */
void rt_wire_begin(struct rt_wire_buf *b, enum rt_wire_type type, uint64_t id);
/* Closes the frame: 0, or -1 when its body is over RT_WIRE_MAX_FRAME (the
 * frame is then taken back out of the buffer). */
int rt_wire_end(struct rt_wire_buf *b);
void rt_wire_put_bytes(struct rt_wire_buf *b, uint16_t tag, const void *p, size_t n);
/* NULL puts nothing (the field is absent). */
void rt_wire_put_str(struct rt_wire_buf *b, uint16_t tag, const char *s);
void rt_wire_put_u32(struct rt_wire_buf *b, uint16_t tag, uint32_t v);
void rt_wire_put_i64(struct rt_wire_buf *b, uint16_t tag, int64_t v);
/* "name\0value" (value NULL: "name" alone). */
void rt_wire_put_pair(struct rt_wire_buf *b, uint16_t tag, const char *name, const char *value);
/* A nested field: puts between open and close go inside it (one level). */
void rt_wire_nest_open(struct rt_wire_buf *b, uint16_t tag);
void rt_wire_nest_close(struct rt_wire_buf *b);

/* ---- reading ------------------------------------------------------------ */

struct rt_wire_frame {
	enum rt_wire_type type;
	uint64_t id;
	const unsigned char *body; /* borrowed from the input buffer */
	size_t len;
};

/*
 * Takes the next frame off data[0..n). Returns 1 (frame in *f, its size in
 * *used), 0 when the buffer holds no complete frame yet (*used = bytes
 * still needed, at least), or -1 for a frame that can never be valid (body
 * over `max`, another major, flags set, unknown type): *err says which, and
 * the stream cannot be resynchronised.
 */
int rt_wire_frame_next(const void *data, size_t n, size_t max, struct rt_wire_frame *f,
		       size_t *used, const char **err);

struct rt_wire_field {
	uint16_t tag;
	const unsigned char *data;
	uint32_t len;
};

/* Walks the fields of a body: 1 with *fld, 0 at the end, -1 truncated. */
struct rt_wire_iter {
	const unsigned char *p, *end;
};
void rt_wire_iter_init(struct rt_wire_iter *it, const void *body, size_t len);
int rt_wire_iter_next(struct rt_wire_iter *it, struct rt_wire_field *fld);
/* Counts the fields with `tag` in a body: 0, or -1 with *err when the body
 * is truncated or the count is over RT_WIRE_MAX_LIST. */
int rt_wire_count_tag(const void *body, size_t len, uint16_t tag, size_t *n, const char **err);

/* Field values: 0, or -1 when the field is not of that shape. */
int rt_wire_get_u32(const struct rt_wire_field *f, uint32_t *v);
int rt_wire_get_i64(const struct rt_wire_field *f, int64_t *v);
/* A NUL-free string copied into `a`. */
int rt_wire_get_str(const struct rt_wire_field *f, struct rt_arena *a, const char **s);

/* ---- messages ----------------------------------------------------------- */

struct rt_wire_kv {
	const char *name;
	const char *value; /* NULL: an unmatched optional route parameter */
};

struct rt_wire_bytes {
	const void *data; /* in the arena, followed by a NUL */
	size_t len;
};

struct rt_wire_hello {
	uint32_t minor;
	int64_t pid;
	const char *app;
	uint32_t abi; /* major << 16 | minor */
};

struct rt_wire_function {
	const char *name;
	enum rt_wire_fn_kind kind;
	const char *methods;  /* NULL = all */
	const char *route;    /* NULL = the name */
	uint32_t auth;
	const char *schedule; /* timers */
	uint32_t flags;
};

struct rt_wire_registration {
	const char *app;
	const char *error; /* set: the app failed to load; functions are empty */
	struct rt_wire_function *fns;
	size_t nfns;
};

struct rt_wire_http_request {
	const char *name;
	const char *invocation;
	const char *method, *url, *base_url, *path, *query;
	struct rt_wire_kv *headers, *params;
	size_t nheaders, nparams;
	struct rt_wire_bytes body;
};

struct rt_wire_http_response {
	uint32_t status;
	uint32_t failed;    /* the function returned an error: ERROR says what */
	const char *error;
	struct rt_wire_kv *headers;
	size_t nheaders;
	struct rt_wire_bytes body;
};

struct rt_wire_activity_request {
	const char *name, *invocation, *instance, *execution, *input, *key;
	int64_t task, attempt;
};

struct rt_wire_activity_result {
	uint32_t failed;
	const char *output; /* JSON text when !failed */
	const char *error;  /* when failed */
};

struct rt_wire_orch_request {
	const char *name, *instance, *execution;
	struct rt_wire_bytes *past, *fresh; /* history-codec events */
	size_t npast, nfresh;
	int64_t now_us;
	uint32_t max_actions;
	const char *custom_status; /* committed so far, NULL: none */
};

struct rt_wire_orch_result {
	/* The instance's status after the episode, as the Durable Task
	 * OrchestrationStatus numbers it (Running 0, Completed 1,
	 * ContinuedAsNew 2, Failed 3, Terminated 5, Suspended 7). */
	uint32_t status;
	const char *output;        /* the status row's output, JSON text or NULL */
	const char *error;         /* set: the history could not be replayed */
	uint32_t custom_set;
	const char *custom_status; /* when custom_set; NULL = cleared */
	uint32_t changed;
	struct rt_wire_bytes *events;  /* history to append, in order */
	size_t nevents;
	struct rt_wire_bytes *actions; /* outbound work, in order */
	size_t nactions;
};

struct rt_wire_client_call {
	const char *op;
	const char *args; /* JSON object */
};

/* The host's answer to a client call: the HTTP status the management API
 * would give and its JSON body. */
struct rt_wire_client_reply {
	uint32_t status;
	const char *output;
};

struct rt_wire_log {
	const char *category;
	uint32_t level;
	const char *text;
};

struct rt_wire_timer_request {
	const char *name, *invocation;
	const char *info; /* TimerInfo JSON */
};

struct rt_wire_timer_result {
	uint32_t failed;
	const char *error; /* when failed */
};

struct rt_wire_entity_op {
	const char *op;    /* operation name, "" when none */
	const char *input; /* JSON text, NULL: none */
};

struct rt_wire_entity_request {
	const char *name, *instance, *key;
	const char *state; /* NULL: none */
	uint32_t keep_failed;
	struct rt_wire_entity_op *ops;
	size_t nops;
};

struct rt_wire_entity_action {
	enum rt_wire_entity_action_kind kind;
	const char *instance; /* SIGNAL: the target "@name@key"; START: the id or NULL */
	const char *op, *input, *name;
	int64_t at_us;
};

struct rt_wire_entity_outcome {
	uint32_t failed;
	const char *result; /* JSON text, NULL = null */
	const char *error;  /* when failed */
	enum rt_wire_state_kind state_kind;
	const char *state;  /* when RT_WIRE_STATE_SET */
	struct rt_wire_entity_action *actions;
	size_t nactions;
};

struct rt_wire_entity_result {
	const char *error; /* set: nothing ran (ops empty) */
	struct rt_wire_entity_outcome *ops;
	size_t nops;
};

/*
 * Encoders append one frame to `b`: 0, or -1 when it would be over
 * RT_WIRE_MAX_FRAME (nothing appended). Decoders read one frame's body into
 * *m with everything copied into `a`: 0, or -1 with *err naming the first
 * problem (a missing required field, a list over RT_WIRE_MAX_LIST, a bad
 * value, a truncated field).
 */
int rt_wire_hello_encode(struct rt_wire_buf *b, const struct rt_wire_hello *m);
int rt_wire_hello_decode(const struct rt_wire_frame *f, struct rt_wire_hello *m,
			 struct rt_arena *a, const char **err);
int rt_wire_registration_encode(struct rt_wire_buf *b, const struct rt_wire_registration *m);
int rt_wire_registration_decode(const struct rt_wire_frame *f, struct rt_wire_registration *m,
				struct rt_arena *a, const char **err);
int rt_wire_http_request_encode(struct rt_wire_buf *b, uint64_t id,
				const struct rt_wire_http_request *m);
int rt_wire_http_request_decode(const struct rt_wire_frame *f, struct rt_wire_http_request *m,
				struct rt_arena *a, const char **err);
int rt_wire_http_response_encode(struct rt_wire_buf *b, uint64_t id,
				 const struct rt_wire_http_response *m);
int rt_wire_http_response_decode(const struct rt_wire_frame *f, struct rt_wire_http_response *m,
				 struct rt_arena *a, const char **err);
int rt_wire_activity_request_encode(struct rt_wire_buf *b, uint64_t id,
				    const struct rt_wire_activity_request *m);
int rt_wire_activity_request_decode(const struct rt_wire_frame *f,
				    struct rt_wire_activity_request *m, struct rt_arena *a,
				    const char **err);
int rt_wire_activity_result_encode(struct rt_wire_buf *b, uint64_t id,
				   const struct rt_wire_activity_result *m);
int rt_wire_activity_result_decode(const struct rt_wire_frame *f,
				   struct rt_wire_activity_result *m, struct rt_arena *a,
				   const char **err);
int rt_wire_orch_request_encode(struct rt_wire_buf *b, uint64_t id,
				const struct rt_wire_orch_request *m);
int rt_wire_orch_request_decode(const struct rt_wire_frame *f, struct rt_wire_orch_request *m,
				struct rt_arena *a, const char **err);
int rt_wire_orch_result_encode(struct rt_wire_buf *b, uint64_t id,
			       const struct rt_wire_orch_result *m);
int rt_wire_orch_result_decode(const struct rt_wire_frame *f, struct rt_wire_orch_result *m,
			       struct rt_arena *a, const char **err);
int rt_wire_client_call_encode(struct rt_wire_buf *b, uint64_t id,
			       const struct rt_wire_client_call *m);
int rt_wire_client_call_decode(const struct rt_wire_frame *f, struct rt_wire_client_call *m,
			       struct rt_arena *a, const char **err);
int rt_wire_client_reply_encode(struct rt_wire_buf *b, uint64_t id,
				const struct rt_wire_client_reply *m);
int rt_wire_client_reply_decode(const struct rt_wire_frame *f, struct rt_wire_client_reply *m,
				struct rt_arena *a, const char **err);
int rt_wire_log_encode(struct rt_wire_buf *b, const struct rt_wire_log *m);
int rt_wire_log_decode(const struct rt_wire_frame *f, struct rt_wire_log *m, struct rt_arena *a,
		       const char **err);

int rt_wire_timer_request_encode(struct rt_wire_buf *b, uint64_t id,
				 const struct rt_wire_timer_request *m);
int rt_wire_timer_request_decode(const struct rt_wire_frame *f, struct rt_wire_timer_request *m,
				 struct rt_arena *a, const char **err);
int rt_wire_timer_result_encode(struct rt_wire_buf *b, uint64_t id,
				const struct rt_wire_timer_result *m);
int rt_wire_timer_result_decode(const struct rt_wire_frame *f, struct rt_wire_timer_result *m,
				struct rt_arena *a, const char **err);
/* Entity batches (common/wire_entity.c). The result decoder bounds the
 * operations and each one's actions by RT_WIRE_MAX_LIST; the caller checks
 * that nops is the number it asked for. */
int rt_wire_entity_request_encode(struct rt_wire_buf *b, uint64_t id,
				  const struct rt_wire_entity_request *m);
int rt_wire_entity_request_decode(const struct rt_wire_frame *f,
				  struct rt_wire_entity_request *m, struct rt_arena *a,
				  const char **err);
int rt_wire_entity_result_encode(struct rt_wire_buf *b, uint64_t id,
				 const struct rt_wire_entity_result *m);
int rt_wire_entity_result_decode(const struct rt_wire_frame *f, struct rt_wire_entity_result *m,
				 struct rt_arena *a, const char **err);

/* Decodes any frame into the message struct of its type (for the fuzz
 * target and for logging): 0 or -1 with *err. */
int rt_wire_decode_any(const struct rt_wire_frame *f, struct rt_arena *a, const char **err);

#endif
