#include "host/cli/cli_args.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct host_cli_opt *find(const struct host_cli_opt *opts, const char *a)
{
	for (; opts->name; opts++)
		if (opts->any_case ? strcasecmp(a, opts->name) == 0 : strcmp(a, opts->name) == 0)
			return opts;
	return NULL;
}

int host_cli_parse(int argc, char **argv, const struct host_cli_opt *opts, const char **pos[],
		   size_t npos, void (*usage)(FILE *out))
{
	size_t filled = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const struct host_cli_opt *o = find(opts, a);

		if (o && o->value && i + 1 < argc) {
			*o->value = argv[++i];
		} else if (o && !o->value) {
			*o->flag = 1;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			exit(0);
		} else if (o || (a[0] == '-' && a[1])) {
			fprintf(stderr, "cfunc: unknown or incomplete option '%s'\n", a);
			return -1;
		} else if (filled < npos) {
			*pos[filled++] = a;
		} else {
			fprintf(stderr, "cfunc: unexpected argument '%s'\n", a);
			return -1;
		}
	}
	return 0;
}
