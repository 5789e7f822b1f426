/*
 * test_mode.h - `cfunc start --ephemeral` and `--clean`, for app authors'
 * own tests.
 *   --ephemeral  the task hub is a file in a fresh temporary folder that
 *                is removed when the host stops; turns on test mode, which
 *                adds POST /admin/test/clock {"advanceSeconds": N}.
 *   --clean      deletes the configured hub (and its -wal/-shm) before the
 *                engine opens it; refused while another process has it open.
 */
#ifndef HOST_TEST_MODE_H
#define HOST_TEST_MODE_H

#include "host/config/config.h"
#include "host/http/server.h"

struct host_test_mode {
	int ephemeral;
	int clean;
	char *tmp_dir; /* --ephemeral: the folder to remove at stop (malloc'd) */
};

/* Applies the flags to cfg before the engine starts (rewrites
 * cfg->durable.storage_path for --ephemeral). 0, or -1 with *err (malloc'd). */
int host_test_mode_prepare(struct host_test_mode *tm, struct host_config *cfg, char **err);
/* After the engine stopped: removes the ephemeral hub's folder. */
void host_test_mode_finish(struct host_test_mode *tm);
/* Endpoint router for test mode only (/admin/test/...); add it before the
 * admin router, which answers 404 for these paths otherwise. */
host_endpoint_fn host_test_mode_route(struct host_server *srv, const char *method,
				      const char *path);

#endif
