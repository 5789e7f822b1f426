/*
 * cli_help.c - `cfunc help`, laid out as `func help` is: the banner, a
 * usage line, then each action with a one-line summary and its options.
 */
#include "cfunc.h"
#include "host/cli/cli_new.h"

void host_cli_help(FILE *out, const char *version)
{
	fprintf(out,
		"cfunc - a function host for compiled C apps\n"
		"cfunc Version:            %s (64-bit)\n"
		"Function Runtime Version: 4.x compatible, app ABI %d.%d\n"
		"\n"
		"Usage: cfunc [context] <action> [-/--options]\n"
		"\n"
		"Contexts:\n"
		"durable     Manage durable instances and the task hub (cfunc durable --help)\n"
		"keys        Manage the master, host, function and system keys (cfunc keys --help)\n"
		"settings    Manage local.settings.json (cfunc settings --help)\n"
		"\n"
		"Actions:\n"
		"start       Launches the functions runtime host\n"
		"    --port [-p]         Local port to listen on. Default: 7071 (0 picks a free one)\n"
		"    --address           Address to bind. Default: 127.0.0.1\n"
		"    --script-root       The function app root. Default: nearest folder with host.json\n"
		"    --functions         A space separated list of functions to load\n"
		"    --cors              A comma separated list of CORS origins with no spaces\n"
		"    --cors-credentials  Allow cross-origin authenticated requests\n"
		"    --enableAuth        Enable full authentication handling pipeline\n"
		"    --verbose           Show host (system) logs at Information\n"
		"    --in-process        Run app code in the host process, not in worker processes\n"
		"                        (the default): for gdb, valgrind or sanitizers in one process\n"
		"    --ephemeral         Test mode: a task hub that lives as long as the process\n"
		"    --clean             Start from an empty task hub\n"
		"new         Creates a function app folder from a template (cfunc new --help)\n"
		"    --template [-t]     Template name (cfunc templates). Default: chaining\n"
		"    --force             Write into a folder that is not empty\n"
		"templates   Lists the templates of cfunc new\n"
		"replay      Replays an instance's stored history against the current build (cfunc replay --help)\n"
		"    --history           The status JSON with historyEvents, or '-' for stdin\n"
		"    --orchestrator      The orchestrator. Default: the one named in the history\n"
		"help        Shows this text\n"
		"\n"
		"cfunc --version prints the version.\n",
		version, CF_ABI_MAJOR, CF_ABI_MINOR);
}
