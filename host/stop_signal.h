/*
 * stop_signal.h - SIGINT and SIGTERM, caught from the moment the host says
 * it is ready.
 *
 * The handlers only write the signal's number to a pipe (the self-pipe
 * trick); the server's loop reads it and drains. Installing them is
 * separate from the loop that reads them so that start-up can install them
 * before it prints "Now listening on": a script that sends SIGTERM as soon
 * as it sees that line gets a clean stop, not death by the default action.
 * A signal that comes before the loop runs waits in the pipe.
 */
#ifndef HOST_STOP_SIGNAL_H
#define HOST_STOP_SIGNAL_H

/* Installs the handlers (once; later calls do nothing). 0, or -1 with errno. */
int host_stop_signal_install(void);

/*
 * Hands over the pipe's read end (non-blocking, close-on-exec), installing
 * the handlers first if needed: the caller owns and closes it, and reads
 * one byte, the signal number, per signal. Returns -1 when the handlers
 * could not be installed or the end was already taken.
 */
int host_stop_signal_take_fd(void);

/* SIGHUP too, through the same pipe (the reader tells it by its number):
 * with worker processes it deploys the apps again instead of ending the
 * host. 0, or -1 with errno. */
int host_stop_signal_catch_hup(void);

#endif
