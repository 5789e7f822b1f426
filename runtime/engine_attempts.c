/*
 * engine_attempts.c - which activity attempts are running right now, kept
 * where a crash of the process cannot erase it.
 *
 * The poison count of an activity must count attempts that started and
 * never finished, not dequeues. Committing a count to the task hub before
 * every start would cost a transaction per attempt; instead each activity
 * thread owns one slot of a small file mapped MAP_SHARED next to the hub
 * ("<hub>.db-attempts"). A thread writes the activity into its slot before
 * the attempt and clears it after. The stores are plain memory writes, and
 * the kernel keeps the page when the process dies (abort, segfault, kill
 * -9), so the next start finds exactly the attempts that were running and
 * counts them in its first transaction. Only a power loss can lose a slot,
 * which can only make a count smaller: never poisons the innocent.
 *
 * The file is allocated (posix_fallocate) before it is mapped, so a full
 * disk later cannot turn a slot write into SIGBUS. When it cannot be
 * created, the slots live in plain memory and crashes are not counted.
 */
#include "runtime/engine_int.h"
#include "common/hash.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* One slot; `check` ties the fields together, so a torn or foreign slot
 * (another file, another version) is ignored rather than trusted. */
struct slot {
	int64_t id;
	int64_t task_id;
	uint64_t instance_hash;
	uint64_t check;
};

#define SLOT_MAGIC 0x63667561747470ull /* "cfuattp" */

struct engine_attempts {
	struct slot *slots;
	size_t nslots;     /* mapped (at least the threads') */
	size_t map_bytes;  /* 0: plain memory */
	struct engine_attempt *left;
	size_t nleft;
};

uint64_t engine_attempts_hash(const char *instance_id)
{
	return rt_hash_str(instance_id);
}

static uint64_t slot_check(int64_t id, int64_t task_id, uint64_t hash)
{
	return ((uint64_t)id * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)task_id << 17) ^ hash ^ SLOT_MAGIC;
}

/* Collects the slots a previous process left set. */
static void read_left(struct engine_attempts *a)
{
	for (size_t i = 0; i < a->nslots; i++) {
		struct slot s = a->slots[i];
		if (s.id <= 0 || s.check != slot_check(s.id, s.task_id, s.instance_hash))
			continue;
		a->left = xrealloc(a->left, (a->nleft + 1) * sizeof(*a->left));
		a->left[a->nleft].id = s.id;
		a->left[a->nleft].task_id = (int)s.task_id;
		a->left[a->nleft].instance_hash = s.instance_hash;
		a->nleft++;
	}
}

struct engine_attempts *engine_attempts_open(const char *hub_path, int nthreads, char **warning)
{
	struct engine_attempts *a = xcalloc(1, sizeof(*a));
	size_t want = (size_t)(nthreads > 0 ? nthreads : 1) * sizeof(struct slot);
	char path[4096];
	struct stat st;
	int fd;

	*warning = NULL;
	want = (want + 4095) & ~(size_t)4095;
	snprintf(path, sizeof(path), "%s-attempts", hub_path);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0 && fstat(fd, &st) == 0) {
		size_t have = (size_t)st.st_size;
		size_t bytes = have > want ? (have & ~(size_t)4095) : want;
		int rc = have < bytes ? posix_fallocate(fd, 0, (off_t)bytes) : 0;
		void *p = rc == 0 ? mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
				  : MAP_FAILED;
		if (p != MAP_FAILED) {
			a->slots = p;
			a->map_bytes = bytes;
			a->nslots = bytes / sizeof(struct slot);
			read_left(a);
			close(fd);
			return a;
		}
		*warning = xasprintf("cannot map '%s' (%s): crashes of activities are not counted "
				     "towards maxDequeueCount",
				     path, strerror(rc ? rc : errno));
	} else {
		*warning = xasprintf("cannot open '%s' (%s): crashes of activities are not counted "
				     "towards maxDequeueCount",
				     path, strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	a->nslots = want / sizeof(struct slot);
	a->slots = xcalloc(a->nslots, sizeof(struct slot));
	return a;
}

size_t engine_attempts_left(const struct engine_attempts *a, const struct engine_attempt **left)
{
	*left = a->left;
	return a->nleft;
}

void engine_attempts_clear(struct engine_attempts *a)
{
	memset(a->slots, 0, a->nslots * sizeof(struct slot));
	free(a->left);
	a->left = NULL;
	a->nleft = 0;
}

void engine_attempts_begin(struct engine_attempts *a, int slot, int64_t id, int task_id,
			   const char *instance_id)
{
	struct slot *s = &a->slots[slot];
	uint64_t hash = engine_attempts_hash(instance_id);
	/* Check last: a slot half written when the process dies does not
	 * verify. The fence keeps the compiler from sinking the stores past
	 * the call into the activity. */
	__atomic_store_n(&s->check, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->id, id, __ATOMIC_RELAXED);
	__atomic_store_n(&s->task_id, (int64_t)task_id, __ATOMIC_RELAXED);
	__atomic_store_n(&s->instance_hash, hash, __ATOMIC_RELAXED);
	__atomic_store_n(&s->check, slot_check(id, task_id, hash), __ATOMIC_RELEASE);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

void engine_attempts_end(struct engine_attempts *a, int slot)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&a->slots[slot].check, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&a->slots[slot].id, 0, __ATOMIC_RELAXED);
}

void engine_attempts_close(struct engine_attempts *a)
{
	if (!a)
		return;
	if (a->map_bytes)
		munmap(a->slots, a->map_bytes);
	else
		free(a->slots);
	free(a->left);
	free(a);
}
