/*
 * cli_new.c - `cfunc new` and `cfunc templates`: a working app folder
 * (host.json, local.settings.json, app.c, a Makefile using
 * `pkg-config --cflags cfunc`, .gitignore) from one of the templates
 * compiled into the binary (templates.h).
 */
#include "host/cli/cli_new.h"
#include "host/cli/templates.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


#define DEFAULT_TEMPLATE "chaining"

static int is_template(const char *name)
{
	if (strcmp(name, "common") == 0)
		return 0;
	for (unsigned i = 0; i < host_template_files_n; i++)
		if (strcmp(host_template_files[i].group, name) == 0)
			return 1;
	return 0;
}

/* The first line of the template's app.c is "/" "* <description> *" "/". */
static void print_description(FILE *out, const char *name)
{
	for (unsigned i = 0; i < host_template_files_n; i++) {
		const struct host_embedded_file *f = &host_template_files[i];
		if (strcmp(f->group, name) != 0 || strcmp(f->path, "app.c") != 0)
			continue;
		const char *s = (const char *)f->data, *end = strchr(s, '\n');
		if (strncmp(s, "/* ", 3) == 0 && end && end - s > 6 && strncmp(end - 3, " */", 3) == 0)
			fprintf(out, "%.*s", (int)(end - 3 - (s + 3)), s + 3);
		return;
	}
}

static void list_templates(FILE *out)
{
	for (unsigned i = 0; i < host_template_files_n; i++) {
		const char *name = host_template_files[i].group;
		int seen = strcmp(name, "common") == 0;
		for (unsigned j = 0; j < i && !seen; j++)
			seen = strcmp(host_template_files[j].group, name) == 0;
		if (seen)
			continue;
		fprintf(out, "  %-18s ", name);
		print_description(out, name);
		fprintf(out, "%s\n", strcmp(name, DEFAULT_TEMPLATE) == 0 ? " (default)" : "");
	}
}

static void usage(FILE *out)
{
	fprintf(out, "Usage: cfunc new [<folder>] [--template <name>] [--force]\n"
		     "\n"
		     "Creates a function app in <folder> (default: the current folder): host.json,\n"
		     "local.settings.json, app.c, a Makefile that builds apps/app.so with\n"
		     "`pkg-config --cflags cfunc`, and .gitignore. Then: make && cfunc start\n"
		     "\n"
		     "  -t, --template <name>  the pattern to start from (default: " DEFAULT_TEMPLATE ")\n"
		     "  --force                write into a folder that is not empty (files of the\n"
		     "                         same names are overwritten)\n"
		     "  --list                 list the templates (same as `cfunc templates`)\n"
		     "\n"
		     "Templates:\n");
	list_templates(out);
}

/* 1 if dir exists and holds anything, 0 if missing or empty, -1 on error. */
static int not_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;
	if (!d)
		return errno == ENOENT ? 0 : -1;
	while (!found && (e = readdir(d)))
		found = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return found;
}

/* mkdir -p of path's folders (path itself too when `self`). */
static int make_dirs(const char *path, int self)
{
	char *p = strdup(path);
	int rc = 0;
	if (!p)
		return -1;
	for (char *s = p + 1; *s && rc == 0; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (rc == 0 && self && mkdir(p, 0777) != 0 && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

static int write_file(const char *dir, const struct host_embedded_file *f)
{
	size_t n = strlen(dir) + strlen(f->path) + 2;
	char *path = malloc(n);
	FILE *out;
	int rc = -1;
	if (!path)
		return -1;
	snprintf(path, n, "%s/%s", dir, f->path);
	if (make_dirs(path, 0) == 0 && (out = fopen(path, "w"))) {
		size_t w = fwrite(f->data, 1, f->len, out);
		rc = fclose(out) == 0 && w == f->len ? 0 : -1;
	}
	if (rc != 0)
		fprintf(stderr, "cfunc new: cannot write %s: %s\n", path, strerror(errno));
	else
		printf("Writing %s\n", path);
	free(path);
	return rc;
}

/* Whether the template has its own file at `path` (it wins over common/). */
static int overridden(const char *name, const char *path)
{
	for (unsigned i = 0; i < host_template_files_n; i++)
		if (strcmp(host_template_files[i].group, name) == 0 &&
		    strcmp(host_template_files[i].path, path) == 0)
			return 1;
	return 0;
}

int host_cli_templates(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("Templates (cfunc new --template <name>):\n");
	list_templates(stdout);
	return 0;
}

int host_cli_new(int argc, char **argv)
{
	const char *dir = NULL, *name = DEFAULT_TEMPLATE;
	int force = 0;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if ((strcmp(a, "-t") == 0 || strcmp(a, "--template") == 0) && i + 1 < argc) {
			name = argv[++i];
		} else if (strcmp(a, "--force") == 0) {
			force = 1;
		} else if (strcmp(a, "--list") == 0) {
			return host_cli_templates(0, NULL);
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (a[0] != '-' && !dir) {
			dir = a;
		} else {
			fprintf(stderr, "cfunc new: unknown or incomplete option '%s'\n\n", a);
			usage(stderr);
			return 1;
		}
	}
	if (!dir)
		dir = ".";
	if (!is_template(name)) {
		fprintf(stderr, "cfunc new: unknown template '%s'. Templates:\n", name);
		list_templates(stderr);
		return 1;
	}
	int full = not_empty(dir);
	if (full < 0) {
		fprintf(stderr, "cfunc new: cannot read folder '%s': %s\n", dir, strerror(errno));
		return 1;
	}
	if (full && !force) {
		fprintf(stderr,
			"cfunc new: folder '%s' is not empty; nothing was written. Use another "
			"folder, or --force to write the template's files into it (files with the "
			"same names are overwritten).\n",
			dir);
		return 1;
	}
	if (make_dirs(dir, 1) != 0) {
		fprintf(stderr, "cfunc new: cannot create folder '%s': %s\n", dir, strerror(errno));
		return 1;
	}
	for (unsigned i = 0; i < host_template_files_n; i++) {
		const struct host_embedded_file *f = &host_template_files[i];
		int mine = strcmp(f->group, name) == 0;
		if (!mine && (strcmp(f->group, "common") != 0 || overridden(name, f->path)))
			continue;
		if (write_file(dir, f) != 0)
			return 1;
	}
	printf("Created a '%s' function app in %s. Build and run it with:\n", name, dir);
	if (strcmp(dir, ".") != 0)
		printf("  cd %s\n", dir);
	printf("  make\n  cfunc start\n");
	return 0;
}
