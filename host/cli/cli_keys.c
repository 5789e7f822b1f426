/*
 * cli_keys.c - `cfunc keys list|new|set|delete`: the key store of keys.h
 * from the command line. Values are shown only when asked (--show); a
 * running host reads the file again when it refreshes its keys.
 */
#include "host/cli/cli_args.h"
#include "host/config/config.h"
#include "host/keys/keys.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "common/xalloc.h"

struct keys_cli {
	const char *cmd;
	const char *name;
	const char *value;
	const char *function;
	const char *script_root;
	int system;
	int show;
};

static void keys_usage(FILE *out)
{
	fprintf(out,
		"usage: cfunc keys list [--show]\n"
		"       cfunc keys new <name> [--function <f> | --system] [--show]\n"
		"       cfunc keys set <name> [value] [--function <f> | --system]\n"
		"       cfunc keys delete <name> [--function <f> | --system]\n"
		"\n"
		"Keys live in <app root>/.cfunc/secrets.json (mode 0600). Without --function or\n"
		"--system a name means a host key. The master key is the system key '_master'\n"
		"('cfunc keys new _master' regenerates it; it cannot be deleted).\n"
		"  --show               print key values (hidden otherwise)\n"
		"  --script-root <dir>  the app root (default: the nearest folder upwards with\n"
		"                       host.json)\n"
		"  set without a value reads it from standard input (hidden on a terminal).\n");
}

static int parse(int argc, char **argv, struct keys_cli *c)
{
	const struct host_cli_opt opts[] = {
		{"--function", 0, &c->function, NULL},
		{"--script-root", 0, &c->script_root, NULL},
		{"--system", 0, NULL, &c->system},
		{"--show", 0, NULL, &c->show},
		{NULL, 0, NULL, NULL},
	};
	const char **pos[] = {&c->cmd, &c->name, &c->value};

	if (host_cli_parse(argc, argv, opts, pos, 3, keys_usage) < 0)
		return -1;
	if (!c->cmd) {
		fprintf(stderr, "cfunc: missing keys command\n");
		return -1;
	}
	if (c->system && c->function) {
		fprintf(stderr, "cfunc: --system and --function do not go together\n");
		return -1;
	}
	return 0;
}

static int open_store(const struct keys_cli *c, struct host_keys **k)
{
	char *root = NULL, *err = NULL, cwd[PATH_MAX];
	int rc;

	if (c->script_root) {
		root = realpath(c->script_root, NULL);
		if (!root) {
			fprintf(stderr, "cfunc: cannot use --script-root '%s': %s\n", c->script_root,
				strerror(errno));
			return -1;
		}
	} else if (!getcwd(cwd, sizeof(cwd)) || host_config_find_root(cwd, &root, &err) != 0) {
		fprintf(stderr, "%s\n", err ? err : "cfunc: cannot read the current directory");
		free(err);
		return -1;
	}
	rc = host_keys_load(k, root, &err);
	if (rc < 0) {
		fprintf(stderr, "cfunc: %s\n", err);
		free(err);
	}
	free(root);
	return rc;
}

static void print_key(const char *name, const char *value, int show)
{
	printf("   -> Name: %s\n", name);
	printf("      Value: %s\n", show ? value : "*****");
	printf("\n");
}

static void print_set(struct host_keys *k, enum host_keys_scope scope, const char *function,
		      int show)
{
	struct host_keys_entry *e;
	size_t n;

	host_keys_list(k, scope, function, &e, &n);
	for (size_t i = 0; i < n; i++)
		print_key(e[i].name, e[i].value, show);
	host_keys_entries_free(e, n);
}

static int cmd_list(struct host_keys *k, const struct keys_cli *c)
{
	char *master = host_keys_system_dup(k, HOST_KEYS_MASTER), **fns;
	size_t nfns;

	printf("Master Key:\n");
	print_key("master", master, c->show);
	sodium_memzero(master, strlen(master));
	free(master);
	printf("Host Keys:\n");
	print_set(k, HOST_KEYS_SCOPE_HOST, NULL, c->show);
	printf("System Keys:\n");
	print_set(k, HOST_KEYS_SCOPE_SYSTEM, NULL, c->show);
	host_keys_function_names(k, &fns, &nfns);
	for (size_t i = 0; i < nfns; i++) {
		if (!c->function || strcasecmp(c->function, fns[i]) == 0) {
			printf("Function Keys (%s):\n", fns[i]);
			print_set(k, HOST_KEYS_SCOPE_FUNCTION, fns[i], c->show);
		}
		free(fns[i]);
	}
	free(fns);
	return 0;
}

/* "host key 'x'", "system key 'x'", "master key", "key 'x' of function 'f'" */
static char *describe(const struct keys_cli *c)
{
	if (c->system && strcasecmp(c->name, HOST_KEYS_MASTER) == 0)
		return xstrdup("Master key");
	if (c->system)
		return xasprintf("System key '%s'", c->name);
	if (c->function)
		return xasprintf("Key '%s' of function '%s'", c->name, c->function);
	return xasprintf("Host key '%s'", c->name);
}

static enum host_keys_scope scope_of(const struct keys_cli *c)
{
	return c->system ? HOST_KEYS_SCOPE_SYSTEM
	       : c->function ? HOST_KEYS_SCOPE_FUNCTION
			     : HOST_KEYS_SCOPE_HOST;
}

char *host_cli_read_secret(const char *prompt)
{
	struct termios old, quiet;
	int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (tty) {
		fputs(prompt, stderr);
		fflush(stderr);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	n = getline(&line, &cap, stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (n < 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

static int report(int rc, const char *what, char *err)
{
	if (rc == HOST_KEYS_E_NOTFOUND)
		fprintf(stderr, "cfunc: %c%s not found\n", tolower((unsigned char)what[0]), what + 1);
	else if (rc == HOST_KEYS_E_MASTER)
		fprintf(stderr, "cfunc: the master key cannot be deleted; regenerate it with "
				"'cfunc keys new _master'\n");
	else if (rc < 0)
		fprintf(stderr, "cfunc: %s\n", err ? err : "failed");
	free(err);
	return rc < 0 ? 1 : 0;
}

static int cmd_change(struct host_keys *k, struct keys_cli *c)
{
	char *err = NULL, *value = NULL, *what, *secret = NULL;
	int rc, created = 0;

	if (!c->name) {
		fprintf(stderr, "cfunc: missing key name\n");
		return 1;
	}
	if (strcasecmp(c->name, HOST_KEYS_MASTER) == 0)
		c->system = 1;
	what = describe(c);
	if (strcmp(c->cmd, "delete") == 0 || strcmp(c->cmd, "remove") == 0) {
		rc = host_keys_delete(k, scope_of(c), c->function, c->name, &err);
		if (rc == 0)
			printf("%s deleted.\n", what);
		rc = report(rc, what, err);
		free(what);
		return rc;
	}
	if (strcmp(c->cmd, "set") == 0 && !c->value) {
		secret = host_cli_read_secret("Please enter the value: ");
		if (!secret) {
			fprintf(stderr, "cfunc: no value given\n");
			free(what);
			return 1;
		}
	}
	rc = host_keys_set(k, scope_of(c), c->function, c->name,
			   strcmp(c->cmd, "set") == 0 ? (secret ? secret : c->value) : NULL,
			   &created, &value, &err);
	if (rc == 0) {
		printf("%s %s.\n", what,
		       created ? "created" : strcmp(c->cmd, "set") == 0 ? "updated" : "regenerated");
		if (c->show)
			printf("      Value: %s\n", value);
	}
	rc = report(rc, what, err);
	if (value) {
		sodium_memzero(value, strlen(value));
		free(value);
	}
	if (secret) {
		sodium_memzero(secret, strlen(secret));
		free(secret);
	}
	free(what);
	return rc;
}

int host_cli_keys(int argc, char **argv)
{
	struct keys_cli c = {0};
	struct host_keys *k = NULL;
	int rc;

	if (parse(argc, argv, &c) < 0) {
		keys_usage(stderr);
		return 1;
	}
	if (strcmp(c.cmd, "list") != 0 && strcmp(c.cmd, "new") != 0 && strcmp(c.cmd, "set") != 0 &&
	    strcmp(c.cmd, "delete") != 0 && strcmp(c.cmd, "remove") != 0) {
		fprintf(stderr, "cfunc: unknown keys command '%s'\n", c.cmd);
		keys_usage(stderr);
		return 1;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "cfunc: cannot initialise libsodium\n");
		return 1;
	}
	if (open_store(&c, &k) < 0)
		return 1;
	rc = strcmp(c.cmd, "list") == 0 ? cmd_list(k, &c) : cmd_change(k, &c);
	host_keys_free(k);
	return rc;
}
