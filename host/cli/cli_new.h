/*
 * cli_new.h - the developer commands of the cfunc CLI: scaffolding, help, replay.
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
/* `cfunc replay --history FILE [--orchestrator NAME]` (cli_replay.c): exit
 * 0 replays cleanly, 1 diverges, 2 bad input. */
int host_cli_replay(int argc, char **argv);

#endif
