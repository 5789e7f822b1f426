#include "common/file_atomic.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void rt_file_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

char *rt_file_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

int rt_file_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int replace(const char *path, const void *data, size_t len, unsigned mode, int durable,
		   char **err)
{
	char *dir = rt_file_dir_of(path), *tmp;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	int fd, saved;

	/* A hidden name in the same folder: rename(2) is atomic only within
	 * one file system, and a directory listing should not show it. */
	tmp = xasprintf("%s/.%s.XXXXXX", dir, base);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		*err = xasprintf("cannot create a temporary file next to %s: %s", path,
				 strerror(errno));
		goto fail;
	}
	if (fchmod(fd, (mode_t)mode) < 0 || rt_file_write_all(fd, data, len) < 0 ||
	    (durable && fsync(fd) < 0)) {
		saved = errno;
		close(fd);
		*err = xasprintf("cannot write %s: %s", path, strerror(saved));
		goto fail_unlink;
	}
	if (close(fd) < 0) {
		*err = xasprintf("cannot write %s: %s", path, strerror(errno));
		goto fail_unlink;
	}
	if (rename(tmp, path) < 0) {
		*err = xasprintf("cannot replace %s: %s", path, strerror(errno));
		goto fail_unlink;
	}
	if (durable)
		rt_file_fsync_dir(dir);
	free(tmp);
	free(dir);
	return 0;
fail_unlink:
	unlink(tmp);
fail:
	free(tmp);
	free(dir);
	return -1;
}

int rt_file_write_atomic(const char *path, const void *data, size_t len, unsigned mode,
			 char **err)
{
	return replace(path, data, len, mode, 1, err);
}

int rt_file_replace(const char *path, const void *data, size_t len, unsigned mode, char **err)
{
	return replace(path, data, len, mode, 0, err);
}
