/*
 * cli_args.c - unit tests for host/cli/cli_args.c: options with values and
 * flags in any order among the words, case-insensitive names only where
 * the table says so, and every way a command line is refused (a value
 * missing, an unknown option, a word too many) with the line it prints.
 */
#include "host/cli/cli_args.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parsed {
	const char *cmd, *name, *value, *root;
	int show, conn;
};

static char err_text[256];

static void usage(FILE *out)
{
	(void)out;
}

/* Parses a NULL-terminated list; stderr goes to err_text. */
static int run(struct parsed *p, const char **args)
{
	const struct host_cli_opt opts[] = {
		{"--script-root", 0, &p->root, NULL},
		{"--connectionString", 1, NULL, &p->conn},
		{"-a", 0, NULL, &p->show},
		{NULL, 0, NULL, NULL},
	};
	const char **pos[] = {&p->cmd, &p->name, &p->value};
	char *argv[16];
	int argc = 0, rc;
	FILE *saved = stderr, *f = tmpfile();

	memset(p, 0, sizeof(*p));
	while (args[argc])
		argv[argc] = (char *)args[argc], argc++;
	stderr = f;
	rc = host_cli_parse(argc, argv, opts, pos, 3, usage);
	stderr = saved;
	rewind(f);
	err_text[fread(err_text, 1, sizeof(err_text) - 1, f)] = '\0';
	fclose(f);
	return rc;
}

static void test_good(void)
{
	struct parsed p;
	is_int(run(&p, (const char *[]){"set", "--script-root", "/app", "K", "-a", "v", NULL}), 0,
	       "options between the words");
	ok(p.cmd && strcmp(p.cmd, "set") == 0 && strcmp(p.name, "K") == 0 &&
		   strcmp(p.value, "v") == 0,
	   "the words fill the slots in order");
	is_str(p.root, "/app", "an option takes the next argument");
	is_int(p.show, 1, "a flag is set");
	is_int(run(&p, (const char *[]){"list", "--CONNECTIONSTRING", NULL}), 0,
	       "a case-insensitive name in another case");
	is_int(p.conn, 1, "sets its flag");
	is_int(run(&p, (const char *[]){"get", "-", NULL}), 0, "a lone '-' is a word");
	is_str(p.name, "-", "and fills a slot");
	is_int(run(&p, (const char *[]){NULL}), 0, "nothing at all parses (the caller decides)");
	ok(!p.cmd, "and fills nothing");
	is_str(err_text, "", "without a word on stderr");
}

static void test_bad(void)
{
	struct parsed p;
	is_int(run(&p, (const char *[]){"list", "--script-root", NULL}), -1, "a value missing");
	is_str(err_text, "cfunc: unknown or incomplete option '--script-root'\n", "says so");
	is_int(run(&p, (const char *[]){"list", "--nope", NULL}), -1, "an unknown option");
	is_str(err_text, "cfunc: unknown or incomplete option '--nope'\n", "names it");
	is_int(run(&p, (const char *[]){"list", "-A", NULL}), -1,
	       "a case-sensitive name in another case is unknown");
	is_int(run(&p, (const char *[]){"set", "a", "b", "c", NULL}), -1, "a word too many");
	is_str(err_text, "cfunc: unexpected argument 'c'\n", "names it");
}

int main(void)
{
	subtest("accepted", test_good);
	subtest("refused", test_bad);
	return done_testing();
}
