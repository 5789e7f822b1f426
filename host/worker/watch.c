/*
 * watch.c - one thread reading inotify events for the apps' folders
 * (watch.h). It only says which file changed; what to do is the caller's.
 */
#include "host/worker/watch.h"

#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

struct host_watch {
	int fd;
	int stop_pipe[2];
	pthread_t thread;
	char *const *paths;
	size_t n;
	int *wd;   /* per path: the watch of its folder */
	host_watch_fn fn;
	void *ctx;
};

static void *watch_main(void *arg)
{
	struct host_watch *wt = arg;
	/* Aligned for struct inotify_event; holds several events per read. */
	char buf[16 * (sizeof(struct inotify_event) + NAME_MAX + 1)]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	for (;;) {
		struct pollfd p[2] = {{.fd = wt->fd, .events = POLLIN},
				      {.fd = wt->stop_pipe[0], .events = POLLIN}};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		ssize_t len = read(wt->fd, buf, sizeof(buf));
		if (len <= 0)
			continue;
		for (char *at = buf; at < buf + len;) {
			const struct inotify_event *ev = (const struct inotify_event *)at;
			at += sizeof(*ev) + ev->len;
			if (!ev->len)
				continue;
			for (size_t i = 0; i < wt->n; i++) {
				const char *slash = strrchr(wt->paths[i], '/');
				const char *base = slash ? slash + 1 : wt->paths[i];
				if (wt->wd[i] == ev->wd && strcmp(base, ev->name) == 0)
					wt->fn(wt->ctx, wt->paths[i]);
			}
		}
	}
	return NULL;
}

struct host_watch *host_watch_start(char *const *paths, size_t n, host_watch_fn fn, void *ctx,
				    char **err)
{
	struct host_watch *wt = xcalloc(1, sizeof(*wt));
	wt->paths = paths;
	wt->n = n;
	wt->fn = fn;
	wt->ctx = ctx;
	wt->wd = xcalloc(n ? n : 1, sizeof(*wt->wd));
	wt->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (wt->fd < 0 || pipe2(wt->stop_pipe, O_CLOEXEC) != 0) {
		*err = xasprintf("cannot watch the apps for changes: %s", strerror(errno));
		if (wt->fd >= 0)
			close(wt->fd);
		free(wt->wd);
		free(wt);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		char *dir = xstrdup(paths[i]);
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = 0;
		/* The completed file: renamed into place, or closed after writing. */
		wt->wd[i] = inotify_add_watch(wt->fd, slash ? (*dir ? dir : "/") : ".",
					      IN_MOVED_TO | IN_CLOSE_WRITE);
		free(dir);
	}
	if (pthread_create(&wt->thread, NULL, watch_main, wt) != 0) {
		*err = xasprintf("cannot start the app watcher");
		close(wt->fd);
		close(wt->stop_pipe[0]);
		close(wt->stop_pipe[1]);
		free(wt->wd);
		free(wt);
		return NULL;
	}
	return wt;
}

void host_watch_stop(struct host_watch *wt)
{
	if (!wt)
		return;
	if (write(wt->stop_pipe[1], "x", 1) < 0) {
		/* the thread then leaves at its next event; joining would hang */
	}
	pthread_join(wt->thread, NULL);
	close(wt->fd);
	close(wt->stop_pipe[0]);
	close(wt->stop_pipe[1]);
	free(wt->wd);
	free(wt);
}
