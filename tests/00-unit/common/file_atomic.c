/*
 * file_atomic.c - unit tests for common/file_atomic.c: a new file and a
 * replaced one get exactly the data and the mode asked for (whatever the
 * umask), and every failure (missing folder, a write the file size limit
 * stops, a target that is a folder) leaves the old file as it was, no
 * temporary file behind, and an error naming the path.
 */
#include "common/file_atomic.h"
#include "tap.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "rb");
	size_t n;
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* Entries of the test folder besides . and .. */
static int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static void test_write(void)
{
	char path[128], *err = NULL;
	struct stat st;
	mode_t old = umask(077);

	snprintf(path, sizeof(path), "%s/settings.json", dir);
	is_int(rt_file_write_atomic(path, "{\"a\":1}\n", 8, 0644, &err), 0, "a new file");
	is_str(slurp(path), "{\"a\":1}\n", "holds the data");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644,
	   "has the mode asked for, not the umask's (%o)", (unsigned)(st.st_mode & 0777));
	is_int(rt_file_write_atomic(path, "second", 6, 0600, &err), 0, "replacing it");
	is_str(slurp(path), "second", "holds the new data only");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "with the new mode");
	is_int(rt_file_write_atomic(path, "", 0, 0600, &err), 0, "an empty write");
	is_str(slurp(path), "", "empties the file");
	is_int(rt_file_replace(path, "third", 5, 0640, &err), 0, "replacing without fsync");
	is_str(slurp(path), "third", "holds that data");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640, "and its mode");
	is_int(entries(), 1, "no temporary file left");
	ok(err == NULL, "no error text on success");
	umask(old);
	unlink(path);
}

static void test_failures(void)
{
	char path[128], missing[128], *err = NULL;
	struct rlimit lim, small;

	snprintf(path, sizeof(path), "%s/keep.json", dir);
	rt_file_write_atomic(path, "old", 3, 0600, &err);

	snprintf(missing, sizeof(missing), "%s/no/such/file", dir);
	is_int(rt_file_write_atomic(missing, "x", 1, 0600, &err), -1, "a missing folder fails");
	ok(err && strstr(err, missing), "naming the path (%s)", err ? err : "");
	free(err);
	err = NULL;

	/* A disk that fills up mid-write: the size limit stops the write. */
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &lim);
	small = lim;
	small.rlim_cur = 4;
	setrlimit(RLIMIT_FSIZE, &small);
	int rc = rt_file_write_atomic(path, "much longer than four bytes", 27, 0600, &err);
	setrlimit(RLIMIT_FSIZE, &lim);
	is_int(rc, -1, "a write cut short fails");
	ok(err && strstr(err, "cannot write") && strstr(err, path), "saying so (%s)",
	   err ? err : "");
	free(err);
	err = NULL;
	is_str(slurp(path), "old", "the old file is intact");
	is_int(entries(), 1, "and the temporary file is gone");

	is_int(rt_file_write_atomic(dir, "x", 1, 0600, &err), -1, "a folder as the target fails");
	ok(err && strstr(err, "cannot replace"), "at the rename (%s)", err ? err : "");
	free(err);
	is_int(entries(), 1, "leaving nothing behind");
	unlink(path);
}

static void test_dir_of(void)
{
	char *d;
	is_str(d = rt_file_dir_of("a/b/c.json"), "a/b", "the folder of a relative path");
	free(d);
	is_str(d = rt_file_dir_of("c.json"), ".", "no folder: the current one");
	free(d);
	is_str(d = rt_file_dir_of("/c.json"), "/", "the root");
	free(d);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/cfunc-atomic-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	subtest("writes", test_write);
	subtest("failures", test_failures);
	subtest("folder of a path", test_dir_of);
	rmdir(dir);
	return done_testing();
}
