/*
 * file_atomic.h - replacing a file so that a reader, or the next start
 * after a crash, sees either the old content or the new one, never a part:
 * a temporary file in the same folder, written and fsync'd, renamed over
 * the target, then the folder fsync'd so the rename itself survives a power
 * loss. Used for the key store, local.settings.json and the settings key;
 * the host's listen file is replaced the same way without the fsyncs.
 *
 * Paths and data are borrowed for the call; strings returned are malloc'd
 * and the caller frees them.
 */
#ifndef COMMON_FILE_ATOMIC_H
#define COMMON_FILE_ATOMIC_H

#include <stddef.h>

/*
 * Writes the len bytes of `data` to `path` atomically, the new file with
 * permission bits `mode` (not narrowed by the umask). On failure `path` is
 * untouched, no temporary file is left, and *err (malloc'd) names the file
 * and the cause. Returns 0 or -1.
 */
int rt_file_write_atomic(const char *path, const void *data, size_t len, unsigned mode,
			 char **err);
/* The same without the two fsyncs: readers still see the old content or
 * the new, but a power loss may lose the change. For files that only
 * describe the running process (the listen file), where waiting for the
 * disk would only slow the start. */
int rt_file_replace(const char *path, const void *data, size_t len, unsigned mode, char **err);

/* write(2) until all len bytes are out, retrying on EINTR: 0, or -1 with errno. */
int rt_file_write_all(int fd, const void *data, size_t len);
/* fsync(2) of a folder, so a rename or link in it is durable; best effort. */
void rt_file_fsync_dir(const char *dir);
/* The folder part of path ("." when there is none, "/" for "/x"), malloc'd. */
char *rt_file_dir_of(const char *path);

#endif
