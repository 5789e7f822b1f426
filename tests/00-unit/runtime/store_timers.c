/*
 * store_timers.c - unit tests for runtime/store_timers.c: the timer_status
 * table useMonitor keeps (absent, stored, replaced, case-insensitive
 * names, kept across reopening, only inside a transaction).
 */
#include "runtime/store.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int put(struct rt_store *s, const char *name, int64_t last, int64_t next, int64_t upd)
{
	struct rt_timer_status st = {last, next, upd};
	int rc = rt_store_begin(s);
	if (rc == 0)
		rc = rt_store_timer_status_put(s, name, &st);
	if (rc == 0)
		rc = rt_store_commit(s);
	else
		rt_store_rollback(s);
	return rc;
}

int main(void)
{
	char dir[] = "/tmp/cfunc-timers-XXXXXX", path[128];
	struct rt_store *s = NULL;
	struct rt_timer_status st;
	char *err = NULL;
	if (!mkdtemp(dir))
		return 2;
	snprintf(path, sizeof(path), "%s/hub.db", dir);

	is_int(rt_store_open(&s, path, NULL, &err), 0, "open a new hub");
	is_int(rt_store_timer_status_get(s, "tick", &st), RT_E_NOTFOUND, "no status before the first write");
	is_int(put(s, "Tick", 0, 2000, 1000), 0, "store a status");
	ok(rt_store_timer_status_get(s, "tick", &st) == 0 && st.last_ms == 0 && st.next_ms == 2000 &&
		   st.updated_ms == 1000,
	   "read it back under another case");
	is_int(put(s, "tick", 2000, 3000, 2000), 0, "replace it");
	ok(rt_store_timer_status_get(s, "TICK", &st) == 0 && st.last_ms == 2000 && st.next_ms == 3000,
	   "the replacement is what is read");
	is_int(rt_store_timer_status_get(s, "tock", &st), RT_E_NOTFOUND, "other timers are separate");
	rt_store_close(s);

	s = NULL;
	is_int(rt_store_open(&s, path, NULL, &err), 0, "reopen the hub");
	ok(rt_store_timer_status_get(s, "tick", &st) == 0 && st.next_ms == 3000, "the status survived");
	rt_store_close(s);

	s = NULL;
	is_int(rt_store_open_readonly(&s, path, &err), 0, "a read-only handle");
	ok(rt_store_timer_status_get(s, "tick", &st) == 0 && st.last_ms == 2000, "reads the status too");
	rt_store_close(s);

	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 2;
	free(err);
	return done_testing();
}
