/*
 * test_mode.c - the ephemeral / clean task hub and the test clock endpoint
 * (test_mode.h).
 */
#include "host/endpoints/test_mode.h"
#include "common/clock.h"
#include "runtime/engine.h"
#include "bindings/durable_client.h"
#include "host/log.h"
#include "host/timers.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/*
 * Whether another process has the SQLite database open. Every connection to
 * a WAL database holds a shared lock on the "DMS" byte of its -shm file
 * (byte 128 in SQLite's unix VFS) for as long as it is open; F_GETLK asks
 * whether a write lock there would conflict, without taking one.
 */
static int hub_in_use(const char *db)
{
	char *shm = xasprintf("%s-shm", db);
	int fd = open(shm, O_RDONLY | O_CLOEXEC), busy = 0;
	free(shm);
	if (fd < 0)
		return 0;
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 128, .l_len = 1 };
	if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
		busy = 1;
	close(fd);
	return busy;
}

static int remove_hub(const char *db, char **err)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(*suffixes); i++) {
		char *p = xasprintf("%s%s", db, suffixes[i]);
		int rc = unlink(p);
		if (rc != 0 && errno != ENOENT) {
			*err = xasprintf("--clean: cannot delete %s: %s", p, strerror(errno));
			free(p);
			return -1;
		}
		free(p);
	}
	return 0;
}

int host_test_mode_prepare(struct host_test_mode *tm, struct host_config *cfg, char **err)
{
	if (tm->ephemeral) {
		const char *tmp = getenv("TMPDIR");
		char *tmpl = xasprintf("%s/cfunc-hub-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(tmpl)) {
			*err = xasprintf("--ephemeral: cannot create a folder from %s: %s", tmpl,
					 strerror(errno));
			free(tmpl);
			return -1;
		}
		tm->tmp_dir = tmpl;
		free(cfg->durable.storage_path);
		cfg->durable.storage_path = xasprintf("%s/%s.db", tmpl, cfg->durable.hub_name);
		return 0;
	}
	if (tm->clean) {
		if (hub_in_use(cfg->durable.storage_path)) {
			*err = xasprintf("--clean: the task hub %s is open in another process (a "
					 "running cfunc?); stop it first. Nothing was deleted.",
					 cfg->durable.storage_path);
			return -1;
		}
		return remove_hub(cfg->durable.storage_path, err);
	}
	return 0;
}

void host_test_mode_finish(struct host_test_mode *tm)
{
	DIR *d;
	struct dirent *e;
	if (!tm->tmp_dir)
		return;
	/* Only files the store made (the hub, -wal, -shm, ...): flat. */
	if ((d = opendir(tm->tmp_dir))) {
		while ((e = readdir(d))) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			char *p = xasprintf("%s/%s", tm->tmp_dir, e->d_name);
			unlink(p);
			free(p);
		}
		closedir(d);
	}
	rmdir(tm->tmp_dir);
	free(tm->tmp_dir);
	tm->tmp_dir = NULL;
}

/* POST /admin/test/clock {"advanceSeconds": N}: N > 0, at most ten years. */
static void advance_clock(struct host_server *srv, struct bind_http *h)
{
	json_error_t jerr;
	json_t *body = h->body_len ? json_loadb(h->body, h->body_len, 0, &jerr) : NULL;
	json_t *n = json_object_get(body, "advanceSeconds");
	double secs = json_is_number(n) ? json_number_value(n) : -1;
	json_decref(body);
	if (!(secs > 0 && secs <= 10.0 * 366 * 86400)) {
		bind_http_set_json(h, 400, "{\"Message\":\"The body must be a JSON object with "
					   "'advanceSeconds', a number of seconds greater than 0.\"}");
		return;
	}
	int64_t off = rt_clock_advance_us((int64_t)(secs * 1e6));
	if (srv->durable)
		rt_engine_wake(srv->durable->engine);
	host_timers_wake(); /* timer triggers follow the same clock */
	host_log("Host.General", RT_LOG_INFO, "Test clock moved forward by %gs (now +%lldms)",
		 secs, (long long)(off / 1000));
	char *reply = xasprintf("{\"offsetSeconds\":%.6f}", (double)off / 1e6);
	bind_http_set_json(h, 200, reply);
	free(reply);
}

host_endpoint_fn host_test_mode_route(struct host_server *srv, const char *method,
				      const char *path)
{
	(void)srv;
	if (strcasecmp(path, "/admin/test/clock") == 0 && strcmp(method, "POST") == 0)
		return advance_clock;
	return NULL;
}
