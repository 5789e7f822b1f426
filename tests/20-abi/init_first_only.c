/* Loads in the first process that runs its init, and fails in every other:
 * init creates the file "init_first_only.marker" in the current folder (the
 * script root, for a worker) and gives up when it exists already. Shows
 * what the host does with an app whose other workers do not start. */
#include <cfunc.h>

#include <fcntl.h>
#include <unistd.h>

static cf_rc first_only(cf_http *h) { return cf_http_respond(h, 200, NULL, "first only"); }

static cf_rc init(cf_app *app)
{
	int fd = open("init_first_only.marker", O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		cf_log(app, CF_LOG_ERROR, "init_first_only: loaded once already");
		return CF_ERROR;
	}
	close(fd);
	cf_register_http(app, "first_only", "GET", "first_only", CF_AUTH_ANONYMOUS, first_only);
	return CF_OK;
}
CF_APP_INIT(init)
