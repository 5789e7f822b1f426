/*
 * apps_missing.c - a missing "cfunc.apps" location is a line that says which
 * one and where it was looked for: without it the host starts with an empty
 * "Functions:" list and the user has to guess. The neighbours of the
 * missing name (same folder) are the candidates for "did you mean".
 */
#include "host/apps_missing.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/xalloc.h"
#include "host/config/nearest.h"

/* The folder entry `name` is most likely a typo of, or NULL (malloc'd). */
static char *near_entry(const char *dir, const char *name)
{
	DIR *d = opendir(*dir ? dir : "/");
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	char *pick = NULL;

	if (!d)
		return NULL;
	while ((de = readdir(d)) && n < 4096) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	const char *p = host_nearest_pick(name, (const char *const *)names, n);
	if (p && strcmp(p, name) != 0)
		pick = xstrdup(p);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return pick;
}

char *host_apps_missing_line(const char *root, const char *full, int err)
{
	size_t rlen = strlen(root);
	/* As the user wrote it: relative to the root unless it was absolute. */
	const char *listed = strncmp(full, root, rlen) == 0 && full[rlen] == '/' ? full + rlen + 1
										  : full;
	const char *slash = strrchr(full, '/');
	char *dir = slash ? xstrndup(full, (size_t)(slash - full)) : xstrdup(".");
	char *near = near_entry(dir, slash ? slash + 1 : full);
	size_t n = strlen(full);
	int is_so = n > 3 && strcmp(full + n - 3, ".so") == 0;
	/* The listed text up to its last name, then the name meant. */
	int keep = (int)(strlen(listed) - strlen(slash ? slash + 1 : full));
	char *hint = near ? xasprintf(" Did you mean '%.*s%s'?", keep, listed, near) : xstrdup("");
	char *line;

	/* A named .so is an app that could not load, as a broken one is. */
	if (is_so)
		line = xasprintf("Refusing app '%s': %s (host.json \"cfunc.apps\" lists '%s').%s",
				 full, strerror(err), listed, hint);
	else
		line = xasprintf("The folder '%s' in host.json \"cfunc.apps\" %s: %s (%s). No app "
				 "loads from it.%s",
				 listed, err == ENOENT || err == ENOTDIR ? "does not exist"
									 : "cannot be read",
				 full, strerror(err), hint);
	free(hint);
	free(near);
	free(dir);
	return line;
}

int host_apps_report_missing(const struct host_config *cfg, host_apps_report_fn report)
{
	int missing = 0;

	if (!cfg->apps_listed)
		return 0;
	for (size_t i = 0; i < cfg->n_apps; i++) {
		struct stat st;
		if (stat(cfg->apps[i], &st) == 0)
			continue;
		char *line = host_apps_missing_line(cfg->script_root, cfg->apps[i], errno);
		report(line);
		free(line);
		missing++;
	}
	return missing;
}
