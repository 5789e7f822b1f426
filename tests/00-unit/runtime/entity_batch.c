/*
 * entity_batch.c - one entity batch (runtime/entity_batch.c) without a
 * store: arrival order, per-operation rollback, replies, locks and the
 * queue they hold back, orphaned locks, and the message codec.
 */
#include "runtime/entity.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static struct rt_arena A;
static int alive_answer = 1;

/* A counter: "add" n, "get", "fail" (adds 1000 then fails), "del",
 * "sig" (signals @counter@other), "start" (starts orchestration "o"). */
static void run_counter(void *ctx, void *fn, struct rt_entity_op *op)
{
	long v = op->state ? strtol(op->state, NULL, 10) : 0;
	(void)ctx;
	(void)fn;
	if (strcmp(op->op, "add") == 0) {
		v += op->input ? strtol(op->input, NULL, 10) : 1;
		op->state = rt_arena_fmt(op->arena, "%ld", v);
		op->result = op->state;
	} else if (strcmp(op->op, "get") == 0) {
		op->result = rt_arena_fmt(op->arena, "%ld", v);
	} else if (strcmp(op->op, "fail") == 0) {
		op->state = rt_arena_fmt(op->arena, "%ld", v + 1000);
		struct rt_entity_action *a = rt_entity_op_add_action(op);
		a->kind = RT_EACT_SIGNAL;
		a->target = "@counter@witness";
		a->op = "add";
		op->failed = 1;
		op->message = "boom";
	} else if (strcmp(op->op, "del") == 0) {
		op->state = NULL;
	} else if (strcmp(op->op, "sig") == 0) {
		struct rt_entity_action *a = rt_entity_op_add_action(op);
		a->kind = RT_EACT_SIGNAL;
		a->target = "@counter@other";
		a->op = "add";
		a->input = "2";
		a->at_us = 5000000;
	} else if (strcmp(op->op, "start") == 0) {
		struct rt_entity_action *a = rt_entity_op_add_action(op);
		a->kind = RT_EACT_START;
		a->name = "o";
	} else {
		op->failed = 1;
		op->message = "unknown";
	}
}

static int alive(void *ctx, const char *id)
{
	(void)ctx;
	(void)id;
	return alive_answer;
}

static struct rt_entity_msg msg(const char *event, const char *json)
{
	struct rt_entity_msg m;
	int rc = rt_entity_msg_parse(event, json, &m, &A);
	if (rc != 0)
		printf("# cannot parse %s\n", json);
	return m;
}

static struct rt_entity_msg signal_op(const char *op, const char *input)
{
	return msg("op", rt_entity_msg_op(&A, op, input, 1, NULL, NULL, NULL, 0));
}

static struct rt_entity_msg call_op(const char *op, const char *input, const char *id,
				    const char *parent)
{
	return msg("op", rt_entity_msg_op(&A, op, input, 0, id, parent, "exec", 0));
}

static void batch_init(struct rt_entity_batch *b, const char *state, const char *sched,
		       struct rt_entity_msg *m, size_t n)
{
	memset(b, 0, sizeof(*b));
	b->instance_id = "@counter@k";
	b->name = "counter";
	b->key = "k";
	b->state = state;
	b->scheduler = sched;
	b->msgs = m;
	b->nmsgs = n;
	b->fn = (void *)1;
	b->run = run_counter;
	b->alive = alive;
	b->arena = &A;
}

static void test_ids(void)
{
	const char *n, *k;
	ok(rt_entity_id_problem("counter", "") == NULL, "empty key is a key");
	ok(rt_entity_id_problem("counter", "a@b c") == NULL, "'@' and spaces in keys are fine");
	ok(rt_entity_id_problem("", "k") != NULL, "empty name refused");
	ok(rt_entity_id_problem("9x", "k") != NULL, "name must start with a letter");
	ok(rt_entity_id_problem("a@b", "k") != NULL, "'@' in a name refused");
	ok(rt_entity_id_problem("c", "a/b") != NULL, "'/' in a key refused");
	ok(rt_entity_id_problem("c", "a?b") != NULL, "'?' in a key refused");
	ok(rt_entity_id_problem("c", "a\nb") != NULL, "control characters refused");
	ok(rt_entity_id_problem("c", "\xff") != NULL, "a key that is not UTF-8 refused");
	is_str(rt_entity_id(&A, "CoUnTer", "Cats"), "@counter@Cats", "names lower-cased, keys kept");
	ok(rt_entity_id_split("@counter@a@b", &A, &n, &k) == 0, "split");
	is_str(n, "counter", "split name");
	is_str(k, "a@b", "split key keeps later '@'");
	ok(rt_entity_id_split("counter@x", &A, &n, &k) != 0, "not an entity id");
	ok(rt_entity_id_split("@@x", &A, &n, &k) != 0, "no name");
}

static void test_codec(void)
{
	struct rt_entity_msg m;
	int failed;
	const char *text;
	ok(rt_entity_msg_parse("op", "{\"op\":\"add\",\"signal\":true,\"input\":\"5\"}", &m, &A) == 0,
	   "signal parses");
	ok(m.kind == RT_EMSG_OP && m.signal && strcmp(m.op, "add") == 0 && strcmp(m.input, "5") == 0,
	   "signal fields");
	ok(rt_entity_msg_parse("op", "{\"op\":\"add\"}", &m, &A) != 0,
	   "a call without id and parent is refused");
	ok(rt_entity_msg_parse("op", "[1]", &m, &A) != 0, "not an object");
	ok(rt_entity_msg_parse("op", "nonsense", &m, &A) != 0, "not JSON");
	ok(rt_entity_msg_parse("release", "{\"id\":\"x\"}", &m, &A) != 0, "release needs a parent");
	const char *locks[] = {"@a@1", "@b@2"};
	ok(rt_entity_msg_parse("op", rt_entity_msg_lock(&A, "L", "orch", "e", locks, 2, 1), &m, &A) == 0,
	   "lock parses");
	ok(m.kind == RT_EMSG_LOCK && m.pos == 1 && m.nlockset == 2 && strcmp(m.lockset[1], "@b@2") == 0,
	   "lock fields");
	ok(rt_entity_msg_parse("op", "{\"id\":\"L\",\"parent\":\"o\",\"lockset\":[\"@a@1\"],\"pos\":3}",
			       &m, &A) != 0,
	   "lock position out of range refused");
	const char *due = rt_entity_msg_op(&A, "add", NULL, 1, NULL, NULL, NULL, 1700000000123456);
	is_int(rt_entity_msg_due(due), 1700000000123456, "due survives the round trip");
	ok(rt_entity_reply_parse(rt_entity_reply(&A, 0, "{\"a\":1}"), &failed, &text, &A) == 0 &&
		   !failed && strcmp(text, "{\"a\":1}") == 0,
	   "success reply");
	ok(rt_entity_reply_parse(rt_entity_reply(&A, 1, "nope"), &failed, &text, &A) == 0 && failed &&
		   strcmp(text, "nope") == 0,
	   "failure reply");
	ok(rt_entity_reply_parse("{}", &failed, &text, &A) != 0, "an empty object is no reply");
}

/* The operation message is written without jansson: whatever the strings
 * hold, it must parse back to the same fields. */
static void test_op_text(void)
{
	struct rt_entity_msg m;
	const char *odd = "q\"b\\s/\n\t\x01\x7f \xc3\xa9 \xf0\x9f\x98\x80";
	const char *input = "{\"s\":\"a\\\"b\\n\",\"n\":[1,2.5e3]}";
	const char *j = rt_entity_msg_op(&A, odd, input, 0, "id\"1", "@p@k\\", "ex\ne", 0);
	ok(rt_entity_msg_parse("op", j, &m, &A) == 0, "a call with quotes, escapes, control bytes "
						     "and non-ASCII parses (%s)", j);
	ok(m.kind == RT_EMSG_OP && !m.signal && strcmp(m.op, odd) == 0, "the operation name is kept");
	is_str(m.input, input, "the input text is kept byte for byte");
	ok(m.id && strcmp(m.id, "id\"1") == 0 && m.parent && strcmp(m.parent, "@p@k\\") == 0 &&
		   m.parent_execution && strcmp(m.parent_execution, "ex\ne") == 0,
	   "id, parent and execution are kept");
	is_str(rt_entity_msg_op(&A, "add", "5", 1, NULL, NULL, NULL, 0),
	       "{\"op\":\"add\",\"signal\":true,\"input\":\"5\"}",
	       "a client's signal: jansson's layout, members left out when absent");
	is_str(rt_entity_msg_op(&A, NULL, NULL, 1, NULL, NULL, NULL, 0),
	       "{\"op\":\"\",\"signal\":true}", "no operation name: \"\"");
	/* Not UTF-8: jansson's path, which leaves the name out; it parses as "". */
	ok(rt_entity_msg_parse("op", rt_entity_msg_op(&A, "\xff", "1", 1, NULL, NULL, NULL, 0), &m,
			       &A) == 0 &&
		   strcmp(m.op, "") == 0 && strcmp(m.input, "1") == 0,
	   "an operation name that is not UTF-8 becomes \"\", the rest is kept");
	is_str(rt_entity_status_json(&A, 1, 3, NULL),
	       "{\"entityExists\":true,\"queueSize\":3,\"lockedBy\":null}", "custom status, unlocked");
	is_str(rt_entity_status_json(&A, 0, 0, "orch\"1"),
	       "{\"entityExists\":false,\"queueSize\":0,\"lockedBy\":\"orch\\\"1\"}",
	       "custom status, locked (the holder escaped)");
}

static void test_order_and_rollback(void)
{
	struct rt_entity_batch b;
	struct rt_entity_msg m[5] = {signal_op("add", "1"), signal_op("add", "10"),
				     call_op("fail", NULL, "r1", "orch"), signal_op("bogus", NULL),
				     call_op("get", NULL, "r2", "orch")};
	batch_init(&b, NULL, NULL, m, 5);
	ok(rt_entity_batch_run(&b) == 0, "batch runs");
	is_str(b.new_state, "11", "the failed operation's +1000 is rolled back, the rest stands");
	is_int(b.ops_run, 5, "five operations ran");
	is_int(b.ops_failed, 2, "two failed");
	is_int(b.nouts, 2, "two replies, no signal from the failed operation");
	is_str(b.outs[0].target, "orch", "reply to the caller");
	is_str(b.outs[0].event, "r1", "named by the request id");
	ok(strstr(b.outs[0].data, "\"exceptionMessage\":\"boom\"") != NULL, "the failure goes back");
	is_str(b.outs[1].event, "r2", "second reply");
	is_str(b.outs[1].data, "{\"result\":\"11\"}", "get sees the state after the batch so far");
	is_str(b.outs[1].execution_id, "exec", "to the caller's execution");
	ok(b.new_scheduler == NULL, "nothing to keep");
}

/* rollbackEntityOperationsOnExceptions = false: a failed operation keeps
 * its state change and its signal; the caller still gets the failure. */
static void test_keep_failed(void)
{
	struct rt_entity_batch b;
	struct rt_entity_msg m[5] = {signal_op("add", "1"), signal_op("add", "10"),
				     call_op("fail", NULL, "r1", "orch"), signal_op("bogus", NULL),
				     call_op("get", NULL, "r2", "orch")};
	batch_init(&b, NULL, NULL, m, 5);
	b.keep_failed = 1;
	ok(rt_entity_batch_run(&b) == 0, "batch runs");
	is_str(b.new_state, "1011", "the failed operation's +1000 stays");
	is_int(b.ops_failed, 2, "two failed all the same");
	is_int(b.nouts, 3, "the failed operation's signal, then two replies");
	is_str(b.outs[0].target, "@counter@witness", "the signal goes out");
	is_str(b.outs[1].event, "r1", "the caller hears of the failure");
	ok(strstr(b.outs[1].data, "\"exceptionMessage\":\"boom\"") != NULL, "with its message");
	is_str(b.outs[2].data, "{\"result\":\"1011\"}", "get sees the kept change");
}

static void test_delete_and_actions(void)
{
	struct rt_entity_batch b;
	struct rt_entity_msg m[3] = {signal_op("sig", NULL), signal_op("start", NULL),
				     signal_op("del", NULL)};
	batch_init(&b, "7", NULL, m, 3);
	ok(rt_entity_batch_run(&b) == 0, "batch runs");
	ok(b.new_state == NULL, "deleted state: the entity no longer exists");
	is_int(b.nouts, 1, "one signal out");
	is_str(b.outs[0].target, "@counter@other", "to the other entity");
	is_int(b.outs[0].visible_us, 5000000, "scheduled");
	ok(strstr(b.outs[0].data, "\"due\"") != NULL, "the message says when it is due");
	is_int(b.nstarts, 1, "one orchestration to start");
	is_str(b.starts[0].name, "o", "its name");

	struct rt_entity_msg m2[1] = {signal_op("add", "1")};
	batch_init(&b, NULL, NULL, m2, 1);
	b.fn = NULL;
	ok(rt_entity_batch_run(&b) == 0, "batch of an unknown entity runs");
	is_int(b.ops_failed, 1, "its operations fail");
	ok(b.new_state == NULL, "and create nothing");
}

static void test_locks(void)
{
	struct rt_entity_batch b;
	const char *set[] = {"@counter@k", "@counter@z"};
	struct rt_entity_msg lock = msg("op", rt_entity_msg_lock(&A, "L1", "orchA", "eA", set, 2, 0));
	struct rt_entity_msg m[4] = {lock, signal_op("add", "1"), call_op("add", "5", "c1", "orchA"),
				     signal_op("add", "100")};
	batch_init(&b, "0", NULL, m, 4);
	alive_answer = 1;
	ok(rt_entity_batch_run(&b) == 0, "lock batch runs");
	is_str(b.locked_by, "orchA", "locked by the requester");
	is_str(b.new_state, "5", "only the holder's call ran");
	is_int(b.queue_len, 2, "the two others wait");
	is_int(b.nouts, 2, "lock forwarded and one reply");
	is_str(b.outs[0].target, "@counter@z", "the lock goes on to the next entity of the set");
	ok(strstr(b.outs[0].data, "\"pos\":1") != NULL, "at the next position");
	is_str(b.outs[1].event, "c1", "the holder's call is answered");

	/* Next batch: someone else's signal queues behind the first two,
	 * then the release lets all three run in arrival order. */
	const char *sched = b.new_scheduler;
	struct rt_entity_msg m2[3] = {signal_op("add", "1000"), call_op("get", NULL, "c2", "orchB"),
				      msg("release", rt_entity_msg_release(&A, "L1", "orchA"))};
	batch_init(&b, "5", sched, m2, 3);
	ok(rt_entity_batch_run(&b) == 0, "release batch runs");
	ok(b.locked_by == NULL, "unlocked");
	is_int(b.queue_len, 0, "queue drained");
	is_str(b.new_state, "1106", "every waiting operation ran");
	is_int(b.nouts, 1, "one reply");
	is_str(b.outs[0].data, "{\"result\":\"1106\"}",
	       "in arrival order: the get came after all three adds");
	ok(b.new_scheduler == NULL, "nothing left to keep");

	/* The last entity of the set answers the orchestration. */
	struct rt_entity_msg m3[1] = {msg("op", rt_entity_msg_lock(&A, "L2", "orchA", "eA", set, 2, 1))};
	batch_init(&b, NULL, NULL, m3, 1);
	ok(rt_entity_batch_run(&b) == 0, "last lock batch runs");
	is_str(b.outs[0].target, "orchA", "the grant goes to the orchestration");
	is_str(b.outs[0].event, "L2", "named by the lock id");
	ok(b.new_state == NULL && b.new_scheduler != NULL, "a lock alone keeps a record, no state");
}

static void test_orphaned_lock(void)
{
	struct rt_entity_batch b;
	const char *set[] = {"@counter@k"};
	struct rt_entity_msg m[1] = {msg("op", rt_entity_msg_lock(&A, "L", "gone", "e", set, 1, 0))};
	batch_init(&b, "1", NULL, m, 1);
	ok(rt_entity_batch_run(&b) == 0, "lock taken");
	const char *sched = b.new_scheduler;
	struct rt_entity_msg m2[1] = {signal_op("add", "1")};
	batch_init(&b, "1", sched, m2, 1);
	alive_answer = 0;
	ok(rt_entity_batch_run(&b) == 0, "batch runs");
	alive_answer = 1;
	ok(b.locked_by == NULL, "a holder that no longer runs loses its lock");
	is_str(b.new_state, "2", "and the waiting signal runs");

	batch_init(&b, "1", "{not json", m2, 1);
	ok(rt_entity_batch_run(&b) != 0, "an unreadable record is an error, not a silent reset");
}

int main(void)
{
	rt_arena_init(&A);
	subtest("ids", test_ids);
	subtest("message codec", test_codec);
	subtest("operation message text", test_op_text);
	subtest("arrival order and rollback", test_order_and_rollback);
	subtest("no rollback when asked", test_keep_failed);
	subtest("delete, signals, starts", test_delete_and_actions);
	subtest("locks", test_locks);
	subtest("orphaned locks", test_orphaned_lock);
	rt_arena_cleanup(&A);
	return done_testing();
}
