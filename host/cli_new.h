/*
 * cli_new.h - the scaffolding and help commands of the cfunc CLI.
 */
#ifndef HOST_CLI_NEW_H
#define HOST_CLI_NEW_H

#include <stdio.h>

/* `cfunc new [<folder>] [--template <name>] [--force] [--list]`; exit code. */
int host_cli_new(int argc, char **argv);
/* `cfunc templates`: the template names with one line each; exit code. */
int host_cli_templates(int argc, char **argv);
/* `cfunc help` in func's layout: banner, usage, contexts, actions. */
void host_cli_help(FILE *out, const char *version);

#endif
