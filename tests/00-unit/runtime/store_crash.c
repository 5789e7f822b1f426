/*
 * Crash tests for the store: a child process commits transactions and is
 * SIGKILLed (or _exits) at an arbitrary point; the parent reopens the file
 * and checks that every acknowledged commit is there and no transaction is
 * half-visible. A SIGKILL cannot lose what reached the kernel, so this
 * proves atomicity and the WAL recovery path, not fsync against power loss
 * (that is what synchronous=FULL is for).
 */
#include "store_util.h"

#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/wait.h>

#define HIST_PER_TX 50
#define INBOX_PER_TX 3

static struct rt_arena arena;

/* One "episode": an instance row, its history, inbox rows, an activity. */
static int write_tx(struct rt_store *s, int i)
{
	struct rt_history_row h[HIST_PER_TX];
	char id[32], blob[200];
	int rc;

	snprintf(id, sizeof(id), "k%06d", i);
	memset(blob, 'x', sizeof(blob));
	for (int j = 0; j < HIST_PER_TX; j++)
		h[j] = (struct rt_history_row){ j, 4, j, blob, sizeof(blob) };
	struct rt_instance in = make_instance(id, RT_ST_RUNNING, i);
	struct rt_inbox_msg m = { .instance_id = id, .data = blob, .len = 10 };
	struct rt_activity a = { .instance_id = id, .execution_id = "e", .name = "act" };

	if ((rc = rt_store_begin(s)))
		return rc;
	if ((rc = rt_store_instance_put(s, &in, 0)) ||
	    (rc = rt_store_history_append(s, id, in.execution_id, h, HIST_PER_TX)))
		goto fail;
	for (int j = 0; j < INBOX_PER_TX; j++)
		if ((rc = rt_store_inbox_add(s, &m, NULL)))
			goto fail;
	if ((rc = rt_store_activity_add(s, &a, NULL)) || (rc = rt_store_commit(s)))
		goto fail;
	return 0;
fail:
	rt_store_rollback(s);
	return rc;
}

/* Child: commit transactions forever, acknowledging each on fd. */
_Noreturn static void child_writer(const char *path, int fd, int sync_normal)
{
	struct rt_store_opts o = { .sync_normal = sync_normal };
	struct rt_store *s;
	if (rt_store_open(&s, path, &o, NULL) != 0)
		_exit(3);
	for (int i = 0;; i++) {
		if (write_tx(s, i) != 0)
			_exit(4);
		if (write(fd, &i, sizeof(i)) != sizeof(i))
			_exit(5);
	}
}

/* Checks the file holds exactly transactions 0..m-1, all whole; returns m. */
static int check_whole(const char *path, int at_least)
{
	struct rt_store *s;
	struct rt_store_stats st;
	struct rt_store_filter f;
	struct rt_instance *rows;
	const char *next;
	size_t n;
	char *err = NULL;
	int m, good = 1;

	if (!ok(rt_store_open(&s, path, NULL, &err) == 0, "reopen after the crash%s%s",
		err ? ": " : "", err ? err : "")) {
		free(err);
		return -1;
	}
	st = stats_of(s);
	m = (int)st.instances;
	ok(m >= at_least, "all %d acknowledged commits present (%d found)", at_least, m);
	ok(st.history == (int64_t)m * HIST_PER_TX && st.inbox == (int64_t)m * INBOX_PER_TX &&
	   st.activities == m,
	   "no partial transaction (%lld history, %lld inbox, %lld activities for %d)",
	   (long long)st.history, (long long)st.inbox, (long long)st.activities, m);
	rt_store_filter_init(&f);
	rt_store_instance_list(s, &f, NULL, (size_t)m + 1, &rows, &n, &next, &arena);
	for (size_t i = 0; i < n; i++) {
		char id[32];
		snprintf(id, sizeof(id), "k%06zu", i);
		good &= strcmp(rows[i].instance_id, id) == 0;
	}
	ok(good && n == (size_t)m, "committed in order, no gaps");
	/* The recovered file takes new writes. */
	is_int(write_tx(s, m), 0, "writable after recovery");
	rt_store_close(s);
	rt_arena_reset(&arena);
	return m;
}

static void kill_round(int after_acks, int sync_normal)
{
	char path[256];
	int fds[2], acked = -1, i;
	pid_t pid;

	snprintf(path, sizeof(path), "%s", tpath("crash.db"));
	if (pipe(fds) != 0)
		return;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		child_writer(path, fds[1], sync_normal);
	}
	close(fds[1]);
	while (acked + 1 < after_acks && read(fds[0], &i, sizeof(i)) == sizeof(i))
		acked = i;
	kill(pid, SIGKILL);
	/* Acks already in the pipe were commits too. */
	while (read(fds[0], &i, sizeof(i)) == sizeof(i))
		acked = i;
	close(fds[0]);
	int status;
	waitpid(pid, &status, 0);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "writer killed after %d commits",
	   acked + 1);
	check_whole(path, acked + 1);
}

static void test_sigkill(void)
{
	kill_round(1, 0);
	kill_round(7, 0);
	kill_round(20, 0);
	kill_round(15, 1);
}

/* A transaction begun but never committed vanishes; commits without a
 * clean close (no checkpoint, WAL left behind) survive. */
static void test_exit_mid_transaction(void)
{
	char path[256];
	pid_t pid;
	int status;

	snprintf(path, sizeof(path), "%s", tpath("exit.db"));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct rt_store *s;
		if (rt_store_open(&s, path, NULL, NULL) != 0)
			_exit(3);
		for (int i = 0; i < 5; i++)
			if (write_tx(s, i) != 0)
				_exit(4);
		struct rt_instance in = make_instance("k000005", RT_ST_RUNNING, 5);
		rt_store_begin(s);
		rt_store_instance_put(s, &in, 0);
		/* Die without any clean-up (no leak check under valgrind either). */
		raise(SIGKILL);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "child died mid-transaction");
	is_int(check_whole(path, 5), 5, "exactly the five committed transactions");
}

/* Mutating outside a transaction is a bug: asserted. */
static void test_assert_outside_transaction(void)
{
	pid_t pid;
	int status;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct rt_store *s;
		struct rlimit no_core = { 0, 0 };
		struct rt_instance in = make_instance("x", RT_ST_RUNNING, 1);
		setrlimit(RLIMIT_CORE, &no_core);
		/* Keep the assertion message out of the TAP stream. */
		if (!freopen("/dev/null", "w", stderr) || rt_store_open(&s, ":memory:", NULL, NULL))
			_exit(3);
		rt_store_instance_put(s, &in, 0);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT, "put outside a transaction asserts");
}

int main(void)
{
	tdir_make();
	rt_arena_init(&arena);
	subtest("SIGKILL while committing", test_sigkill);
	subtest("death in the middle of a transaction", test_exit_mid_transaction);
	subtest("mutation outside a transaction", test_assert_outside_transaction);
	rt_arena_cleanup(&arena);
	tdir_remove();
	return done_testing();
}
