/*
 * cli_args.h - the argument loop of the `cfunc keys` and `cfunc settings`
 * commands, driven by a table: options (a flag, or one that takes the next
 * argument), -h/--help, and up to a few positional words in order.
 *
 * The table and the positional slots are the caller's; values point into
 * argv (borrowed for the process's life). Errors print one line to stderr
 * in the commands' words and return -1.
 */
#ifndef HOST_CLI_ARGS_H
#define HOST_CLI_ARGS_H

#include <stddef.h>
#include <stdio.h>

struct host_cli_opt {
	const char *name;   /* "--function", "-a" */
	int any_case;       /* func binds some names case-insensitively (--showValue) */
	const char **value; /* takes the next argument into *value ... */
	int *flag;          /* ... or, when value is NULL, sets *flag = 1 */
};

/*
 * Parses argv[0..argc-1]. An option missing its value, or an unknown one,
 * fails: "cfunc: unknown or incomplete option '<arg>'". Words fill pos[0],
 * pos[1], ... (npos slots); one more fails: "cfunc: unexpected argument".
 * -h or --help prints usage(stdout) and exits 0. opts ends with a NULL name.
 */
int host_cli_parse(int argc, char **argv, const struct host_cli_opt *opts, const char **pos[],
		   size_t npos, void (*usage)(FILE *out));

#endif
