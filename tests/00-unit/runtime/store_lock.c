/*
 * Unit tests for runtime/store_lock.c: one host per task hub. A read-write
 * handle locks the hub against every other process, read-only handles
 * share it among themselves, handles of one process share its lock, and
 * the lock dies with the process that held it, kill -9 included.
 *
 * The other process is a forked child that opens the hub as told, reports
 * the result on a pipe and then waits, holding whatever it opened, until
 * the parent kills it.
 */
#include "store_util.h"

#include <signal.h>
#include <sys/wait.h>

struct holder {
	pid_t pid;
	int rc; /* the child's rt_store_open() result */
};

/* Forks a child that opens `path` (read-only if asked) and holds it. */
static struct holder hold(const char *path, int readonly)
{
	struct holder h = {.pid = -1, .rc = 99};
	int fds[2];
	if (pipe(fds) != 0)
		return h;
	fflush(stdout);
	h.pid = fork();
	if (h.pid == 0) {
		struct rt_store *s = NULL;
		int rc;
		close(fds[0]);
		rc = readonly ? rt_store_open_readonly(&s, path, NULL) : rt_store_open(&s, path, NULL, NULL);
		if (write(fds[1], &rc, sizeof(rc)) != sizeof(rc))
			_exit(2);
		for (;;)
			pause();
	}
	close(fds[1]);
	if (h.pid < 0 || read(fds[0], &h.rc, sizeof(h.rc)) != sizeof(h.rc))
		h.rc = 98;
	close(fds[0]);
	return h;
}

/* kill -9, as a crash would; 1 if the child died of it. */
static int crash(struct holder *h)
{
	int status;
	if (h->pid <= 0)
		return 0;
	kill(h->pid, SIGKILL);
	waitpid(h->pid, &status, 0);
	h->pid = -1;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

/* What a child gets when it merely tries to open the hub (and exits). */
static int child_open(const char *path, int readonly)
{
	struct holder h = hold(path, readonly);
	crash(&h);
	return h.rc;
}

static void make_hub(const char *path)
{
	struct rt_store *s;
	if (rt_store_open(&s, path, NULL, NULL) == 0)
		rt_store_close(s);
}

static void test_exclusive(void)
{
	char path[256], pidtext[32], lockpath[300], text[64] = "";
	struct rt_store *s = (struct rt_store *)1;
	char *err = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s", tpath("hub.db"));
	snprintf(lockpath, sizeof(lockpath), "%s.lock", path);
	struct holder h = hold(path, 0);
	if (!ok(h.rc == 0, "a first host opens the hub (%d)", h.rc))
		return;
	snprintf(pidtext, sizeof(pidtext), "process %ld", (long)h.pid);

	is_int(rt_store_open(&s, path, NULL, &err), RT_E_LOCKED, "a second writer is refused");
	ok(s == NULL, "no handle on refusal");
	ok(err && strstr(err, path) && strstr(err, pidtext) && !strchr(err, '\n'),
	   "one line naming the file and the holder's pid: %s", err ? err : "(null)");
	free(err);
	err = NULL;
	is_int(rt_store_open_readonly(&s, path, &err), RT_E_LOCKED,
	       "a reader is refused while a host runs");
	ok(err && strstr(err, pidtext), "the reader is told the pid: %s", err ? err : "(null)");
	free(err);
	err = NULL;

	f = fopen(lockpath, "r");
	if (f) {
		if (!fgets(text, sizeof(text), f))
			text[0] = '\0';
		fclose(f);
	}
	is_int(strtol(text, NULL, 10), h.pid, "the lock file holds the host's pid");

	ok(crash(&h), "the host is killed with SIGKILL");
	is_int(rt_store_open(&s, path, NULL, &err), 0, "then a new host opens the hub: %s",
	       err ? err : "");
	free(err);
	err = NULL;
	/* And now this process is the one that excludes the others. */
	is_int(child_open(path, 0), RT_E_LOCKED, "a writer in another process is refused");
	is_int(child_open(path, 1), RT_E_LOCKED, "so is a reader");
	rt_store_close(s);
	is_int(child_open(path, 0), 0, "after close, another process opens it");
}

static void test_shared(void)
{
	char path[256], pidtext[32];
	struct rt_store *r1, *r2;
	char *err = NULL;

	snprintf(path, sizeof(path), "%s", tpath("hub.db"));
	make_hub(path);
	struct holder h = hold(path, 1);
	if (!ok(h.rc == 0, "an offline reader opens the hub (%d)", h.rc))
		return;
	snprintf(pidtext, sizeof(pidtext), "process %ld", (long)h.pid);
	is_int(rt_store_open_readonly(&r1, path, &err), 0, "a second reader shares it: %s",
	       err ? err : "");
	free(err);
	err = NULL;
	struct rt_store *w = (struct rt_store *)1;
	is_int(rt_store_open(&w, path, NULL, &err), RT_E_LOCKED,
	       "a host cannot start while another process reads");
	ok(err && strstr(err, "read-only") && strstr(err, pidtext) && strstr(err, path),
	   "message names the reader: %s", err ? err : "(null)");
	free(err);
	err = NULL;
	ok(crash(&h), "the reader is killed with SIGKILL");
	is_int(child_open(path, 0), RT_E_LOCKED, "our own reader still keeps hosts out");
	is_int(child_open(path, 1), 0, "but not other readers");
	rt_store_close(r1);
	is_int(child_open(path, 0), 0, "no reader left: a host starts");

	/* In one process the modes combine: a host's engine keeps read-only
	 * handles beside its writer. Dropping the writer lets readers in. */
	if (!ok(rt_store_open(&w, path, NULL, NULL) == 0, "writer"))
		return;
	is_int(rt_store_open_readonly(&r2, path, &err), 0, "reader beside our own writer: %s",
	       err ? err : "");
	free(err);
	is_int(child_open(path, 1), RT_E_LOCKED, "other readers wait for the writer");
	rt_store_close(w);
	is_int(child_open(path, 1), 0, "writer closed, reader kept: other readers come in");
	is_int(child_open(path, 0), RT_E_LOCKED, "writers still do not");
	rt_store_close(r2);
}

static void test_process_wide(void)
{
	char path[256];
	struct rt_store *a, *b;

	snprintf(path, sizeof(path), "%s", tpath("hub.db"));
	if (!ok(rt_store_open(&a, path, NULL, NULL) == 0, "first handle") ||
	    !ok(rt_store_open(&b, path, NULL, NULL) == 0, "a second handle of the same process"))
		return;
	rt_store_close(a);
	is_int(child_open(path, 0), RT_E_LOCKED, "closing one handle keeps the lock");
	rt_store_close(b);
	is_int(child_open(path, 0), 0, "closing the last one releases it");

	/* A fork inherits no lock: the child must not take itself for the
	 * holder because its memory says so. */
	if (!ok(rt_store_open(&a, path, NULL, NULL) == 0, "the parent holds the hub"))
		return;
	is_int(child_open(path, 0), RT_E_LOCKED, "a forked child is refused like a stranger");
	rt_store_close(a);

	/* A reader of a file that is not there is told so; no lock file. */
	char missing[256], lock[300];
	snprintf(missing, sizeof(missing), "%s", tpath("none.db"));
	snprintf(lock, sizeof(lock), "%s.lock", missing);
	is_int(rt_store_open_readonly(&a, missing, NULL), RT_ERROR, "missing file");
	ok(access(lock, F_OK) != 0, "no lock file left behind by a reader");
}

int main(void)
{
	tdir_make();
	subtest("exclusive", test_exclusive);
	subtest("shared", test_shared);
	subtest("process-wide", test_process_wide);
	tdir_remove();
	return done_testing();
}
