/*
 * store_lock.c - one host per task hub: a lock on "<hub>.lock", next to the
 * hub file, and the writer gate that lets a checkpoint empty the WAL.
 *
 * Why a separate file: SQLite keeps POSIX (fcntl) locks on the database file
 * itself, and closing any descriptor of a file drops every POSIX lock the
 * process holds on it. Locking the hub file through a descriptor of our own
 * would break SQLite's locking the moment we closed it. The sidecar file is
 * opened by this code alone, once per process, and only closed when the
 * last handle on the hub goes away.
 *
 * Why POSIX record locks on the sidecar: they belong to the process (every
 * handle of one process shares them, which is what the engine's several
 * handles need), they are never inherited by fork(), the kernel drops them
 * when the process dies however it dies, and F_GETLK names the holder's pid.
 * The holder also writes its pid into the file, for people and for pid
 * namespaces where F_GETLK answers 0.
 *
 * Process-wide registry: one entry per lock file (by device and inode),
 * counting the exclusive and shared handles of this process. The strongest
 * mode any handle needs is the one held.
 */
#include "runtime/store_int.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct store_lock {
	struct store_lock *next;
	dev_t dev;
	ino_t ino;
	int fd;
	int writable;      /* fd opened O_RDWR: can hold the exclusive lock */
	int n_exclusive;   /* handles of this process wanting each mode */
	int n_shared;
	/* The writer gate (see store_int.h). */
	pthread_mutex_t gate_mu;
	pthread_cond_t gate_cv;
	int gate_closed;
	int gate_drained;  /* closed and no transaction left: readers wait too */
	int writers;       /* transactions open behind the gate */
	int64_t wal_limit; /* set by rt_store_checkpoint_bounded(); 0: none */
	/* One checkpoint at a time in this process: SQLite answers BUSY at
	 * once, without waiting, to a checkpoint that meets another. */
	pthread_mutex_t ckpt_mu;
};

static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static struct store_lock *registry;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

/* A forked child holds none of its parent's POSIX locks: it must not think
 * it does, or it would open the hub unlocked. Its copies of the entries are
 * forgotten (leaked: their mutexes may be in any state). */
static void before_fork(void)
{
	pthread_mutex_lock(&registry_mu);
}

static void after_fork_parent(void)
{
	pthread_mutex_unlock(&registry_mu);
}

static void after_fork_child(void)
{
	registry = NULL;
	pthread_mutex_unlock(&registry_mu);
}

static void install_atfork(void)
{
	pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}

static struct store_lock *registry_find(dev_t dev, ino_t ino)
{
	for (struct store_lock *l = registry; l; l = l->next)
		if (l->dev == dev && l->ino == ino)
			return l;
	return NULL;
}

/* F_SETLK on the whole file: F_WRLCK, F_RDLCK or F_UNLCK; 0 or errno. */
static int set_lock(int fd, short type)
{
	struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
	return fcntl(fd, F_SETLK, &fl) == 0 ? 0 : errno;
}

/* The pid of a process holding a lock that conflicts with `type`, from the
 * kernel or else from the file; 0 if unknown. *holder_exclusive tells
 * whether that process holds it exclusively (-1: unknown). */
static long lock_holder(int fd, short type, int *holder_exclusive)
{
	struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
	char buf[32];
	ssize_t n;

	*holder_exclusive = -1;
	if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK) {
		*holder_exclusive = fl.l_type == F_WRLCK;
		if (fl.l_pid > 0)
			return (long)fl.l_pid;
	}
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

static int refuse_held(struct rt_store *s, const char *hub, const char *lock_path, int fd,
		       int exclusive)
{
	int holder_exclusive;
	long pid = lock_holder(fd, exclusive ? F_WRLCK : F_RDLCK, &holder_exclusive);
	char who[64];

	if (pid > 0)
		snprintf(who, sizeof(who), "process %ld", pid);
	else
		snprintf(who, sizeof(who), "another process");
	if (!exclusive || holder_exclusive == 1)
		return rt_store__fail(s, RT_E_LOCKED,
				      "task hub %s is in use by %s (it holds %s); one host per "
				      "task hub: stop that host or use another hub",
				      hub, who, lock_path);
	return rt_store__fail(s, RT_E_LOCKED,
			      "task hub %s is open read-only by %s (it holds %s); close that "
			      "tool before starting a host on the hub",
			      hub, who, lock_path);
}

/* Records our pid in the lock file (exclusive holder only). */
static void write_pid(int fd)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == 0 && pwrite(fd, buf, (size_t)n, 0) != n) {
		/* The pid is a courtesy for the message; the lock is what counts. */
	}
}

/* Takes the mode a new handle needs on an entry this process already holds:
 * only an upgrade from shared to exclusive can fail. */
static int lock_more(struct rt_store *s, struct store_lock *l, const char *hub,
		     const char *lock_path, int exclusive)
{
	if (exclusive && l->n_exclusive == 0) {
		int err;
		if (!l->writable)
			return rt_store__fail(s, RT_ERROR,
					      "cannot lock task hub %s for writing: %s is read-only",
					      hub, lock_path);
		if ((err = set_lock(l->fd, F_WRLCK)) != 0) {
			if (err == EAGAIN || err == EACCES)
				return refuse_held(s, hub, lock_path, l->fd, 1);
			return rt_store__fail(s, RT_ERROR, "cannot lock %s: %s", lock_path,
					      strerror(err));
		}
		write_pid(l->fd);
	}
	if (exclusive)
		l->n_exclusive++;
	else
		l->n_shared++;
	return 0;
}

int rt_store__lock_acquire(struct rt_store *s, const char *hub, int exclusive,
			   struct store_lock **out, int *first)
{
	char lock_path[4096];
	struct store_lock *l;
	struct stat st;
	int fd, writable = 1, err, rc;

	*out = NULL;
	*first = 0;
	if ((size_t)snprintf(lock_path, sizeof(lock_path), "%s.lock", hub) >= sizeof(lock_path))
		return rt_store__fail(s, RT_ERROR, "task hub path too long: %s", hub);

	pthread_once(&atfork_once, install_atfork);
	pthread_mutex_lock(&registry_mu);
	/* Look the file up before opening it: opening and closing a second
	 * descriptor would drop the locks this process holds. */
	if (stat(lock_path, &st) == 0 && (l = registry_find(st.st_dev, st.st_ino))) {
		rc = lock_more(s, l, hub, lock_path, exclusive);
		pthread_mutex_unlock(&registry_mu);
		if (rc == 0)
			*out = l;
		return rc;
	}
	fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0 && !exclusive && (errno == EACCES || errno == EROFS)) {
		/* A reader on a hub it cannot write: a read lock needs no more. */
		fd = open(lock_path, O_RDONLY | O_CLOEXEC);
		writable = 0;
	}
	if (fd < 0) {
		err = errno;
		pthread_mutex_unlock(&registry_mu);
		return rt_store__fail(s, RT_ERROR, "cannot open lock file %s: %s", lock_path,
				      strerror(err));
	}
	if (fstat(fd, &st) == 0 && (l = registry_find(st.st_dev, st.st_ino))) {
		/* Only if stat() above failed by chance: keep the descriptor
		 * open for the process's life rather than drop our locks. */
		rc = lock_more(s, l, hub, lock_path, exclusive);
		pthread_mutex_unlock(&registry_mu);
		if (rc == 0)
			*out = l;
		return rc;
	}
	if ((err = set_lock(fd, exclusive ? F_WRLCK : F_RDLCK)) != 0) {
		if (err == EAGAIN || err == EACCES)
			rc = refuse_held(s, hub, lock_path, fd, exclusive);
		else
			rc = rt_store__fail(s, RT_ERROR, "cannot lock %s: %s", lock_path,
					    strerror(err));
		close(fd); /* nothing of ours was locked through this file */
		pthread_mutex_unlock(&registry_mu);
		return rc;
	}
	if (exclusive)
		write_pid(fd);
	l = xcalloc(1, sizeof(*l));
	l->dev = st.st_dev;
	l->ino = st.st_ino;
	l->fd = fd;
	l->writable = writable;
	l->n_exclusive = exclusive;
	l->n_shared = !exclusive;
	pthread_mutex_init(&l->gate_mu, NULL);
	pthread_cond_init(&l->gate_cv, NULL);
	pthread_mutex_init(&l->ckpt_mu, NULL);
	l->next = registry;
	registry = l;
	pthread_mutex_unlock(&registry_mu);
	*out = l;
	*first = 1;
	return 0;
}

void rt_store__lock_release(struct store_lock *l, int exclusive)
{
	struct store_lock **pp;
	if (!l)
		return;
	pthread_mutex_lock(&registry_mu);
	if (exclusive)
		l->n_exclusive--;
	else
		l->n_shared--;
	if (l->n_exclusive + l->n_shared > 0) {
		/* The last writer left, readers remain: let other readers in. */
		if (exclusive && l->n_exclusive == 0)
			set_lock(l->fd, F_RDLCK);
		pthread_mutex_unlock(&registry_mu);
		return;
	}
	for (pp = &registry; *pp != l; pp = &(*pp)->next)
		;
	*pp = l->next;
	pthread_mutex_unlock(&registry_mu);
	/* Closing the only descriptor of the lock file releases the lock. */
	close(l->fd);
	pthread_mutex_destroy(&l->gate_mu);
	pthread_cond_destroy(&l->gate_cv);
	pthread_mutex_destroy(&l->ckpt_mu);
	free(l);
}

/* ---- the writer gate ------------------------------------------------------ */

void rt_store__gate_enter(struct store_lock *l)
{
	if (!l)
		return;
	pthread_mutex_lock(&l->gate_mu);
	while (l->gate_closed)
		pthread_cond_wait(&l->gate_cv, &l->gate_mu);
	l->writers++;
	pthread_mutex_unlock(&l->gate_mu);
}

void rt_store__gate_leave(struct store_lock *l)
{
	if (!l)
		return;
	pthread_mutex_lock(&l->gate_mu);
	if (--l->writers == 0)
		pthread_cond_broadcast(&l->gate_cv);
	pthread_mutex_unlock(&l->gate_mu);
}

void rt_store__ckpt_lock(struct store_lock *l)
{
	if (l)
		pthread_mutex_lock(&l->ckpt_mu);
}

void rt_store__ckpt_unlock(struct store_lock *l)
{
	if (l)
		pthread_mutex_unlock(&l->ckpt_mu);
}

void rt_store__set_wal_limit(struct store_lock *l, int64_t limit)
{
	if (!l)
		return;
	pthread_mutex_lock(&l->gate_mu);
	l->wal_limit = limit;
	pthread_mutex_unlock(&l->gate_mu);
}

int64_t rt_store__wal_limit(struct store_lock *l)
{
	int64_t limit;
	if (!l)
		return 0;
	pthread_mutex_lock(&l->gate_mu);
	limit = l->wal_limit;
	pthread_mutex_unlock(&l->gate_mu);
	return limit;
}

void rt_store__gate_wait_reader(struct store_lock *l)
{
	if (!l)
		return;
	pthread_mutex_lock(&l->gate_mu);
	/* Not while writers drain: this thread may be the one holding a write
	 * transaction, and it could never finish it. */
	while (l->gate_drained)
		pthread_cond_wait(&l->gate_cv, &l->gate_mu);
	pthread_mutex_unlock(&l->gate_mu);
}

void rt_store__gate_close(struct store_lock *l)
{
	if (!l)
		return;
	pthread_mutex_lock(&l->gate_mu);
	while (l->gate_closed) /* another closer first */
		pthread_cond_wait(&l->gate_cv, &l->gate_mu);
	l->gate_closed = 1;
	while (l->writers > 0)
		pthread_cond_wait(&l->gate_cv, &l->gate_mu);
	l->gate_drained = 1;
	pthread_mutex_unlock(&l->gate_mu);
}

void rt_store__gate_open(struct store_lock *l)
{
	if (!l)
		return;
	pthread_mutex_lock(&l->gate_mu);
	l->gate_closed = 0;
	l->gate_drained = 0;
	pthread_cond_broadcast(&l->gate_cv);
	pthread_mutex_unlock(&l->gate_mu);
}
