/*
 * stop_signal.c - the self-pipe behind SIGINT/SIGTERM (see stop_signal.h).
 * The write end lives as long as the process: a signal after the reader
 * closed its end gets EPIPE (SIGPIPE is ignored by then) and is dropped,
 * as the loop that would act on it is gone.
 */
#include "host/stop_signal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static int pipe_fds[2] = {-1, -1};
static int read_end_taken;

static void on_stop_signal(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;
	if (write(pipe_fds[1], &c, 1) < 0) {
		/* full or closed: a stop is already on its way, or nobody is left */
	}
	errno = saved;
}

int host_stop_signal_install(void)
{
	struct sigaction sa;

	if (pipe_fds[1] >= 0)
		return 0;
	if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	/* A handler, not SIG_IGN: sh starts background jobs with SIGINT ignored. */
	if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0)
		return -1;
	return 0;
}

int host_stop_signal_catch_hup(void)
{
	struct sigaction sa;
	if (host_stop_signal_install() != 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGHUP, &sa, NULL);
}

int host_stop_signal_take_fd(void)
{
	if (read_end_taken || host_stop_signal_install() != 0)
		return -1;
	read_end_taken = 1;
	return pipe_fds[0];
}
