/*
 * watch.h - noticing that an app's .so was replaced (inotify), to deploy it
 * again without a restart. A build that writes a new file and renames it
 * over the old one (as make does) and one that writes in place are both
 * seen, once the file is complete.
 */
#ifndef HOST_WORKER_WATCH_H
#define HOST_WORKER_WATCH_H

#include <stddef.h>

struct host_watch;

/* Called on the watch thread with the path (one of `paths`) that changed. */
typedef void (*host_watch_fn)(void *ctx, const char *path);

/* Watches the folders of `paths` (borrowed, must outlive the watch). NULL
 * with *err (malloc'd) when inotify is not available. */
struct host_watch *host_watch_start(char *const *paths, size_t n, host_watch_fn fn, void *ctx,
				    char **err);
/* Stops and joins the thread. NULL is fine. */
void host_watch_stop(struct host_watch *wt);

#endif
