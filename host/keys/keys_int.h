/*
 * keys_int.h - what keys.c (the store's API), keys_snap.c (snapshots in
 * memory), keys_file.c (secrets.json on disk, the change protocol) and
 * keys_settings.c (the settings cipher) share. Not for use outside
 * host/keys*.c.
 */
#ifndef HOST_KEYS_INT_H
#define HOST_KEYS_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/stat.h>

#include <sodium.h>

#include "host/keys/keys.h"

#define MAC_BYTES 32

struct key {
	char *name;
	char *value;
	unsigned char mac[MAC_BYTES];
};

struct keyset {
	struct key *v;
	size_t n;
};

struct fnkeys {
	char *function;
	struct keyset keys;
};

struct snap {
	struct key master; /* name "master" */
	struct keyset host, system;
	struct fnkeys *fns;
	size_t nfns;
};

struct host_keys {
	char *dir;       /* <root>/.cfunc */
	char *path;      /* <dir>/secrets.json */
	char *lock_path; /* <dir>/secrets.lock */
	unsigned char mac_key[crypto_generichash_KEYBYTES];
	pthread_rwlock_t lock;  /* guards cur */
	pthread_mutex_t write;  /* serialises changes and refreshes */
	struct snap *cur;
	struct stat seen;       /* the file as last read or written */
	atomic_uint_fast64_t gen;
};

/* keys_snap.c: snapshots in memory. */
void host_keys_key_set(const struct host_keys *k, struct key *key, const char *name,
		       const char *value);
void host_keys_key_cleanup(struct key *key);
void host_keys_snap_free(struct snap *s);
struct key *host_keys_keyset_find(const struct keyset *ks, const char *name);
struct key *host_keys_keyset_add(struct keyset *ks);
void host_keys_keyset_remove(struct keyset *ks, struct key *key);
struct fnkeys *host_keys_snap_function(const struct snap *s, const char *function);
struct fnkeys *host_keys_snap_add_function(struct snap *s, const char *function);
void host_keys_snap_remove_function(struct snap *s, struct fnkeys *f);

/*
 * keys_file.c: reads the file into a new snapshot, creating the file or the
 * missing mandatory keys (then writing it back). Caller holds the flock.
 */
int host_keys_read_snap(struct host_keys *k, struct snap **out, char **err);
/* Takes the flock on secrets.lock; the descriptor, or -1 with *err. */
int host_keys_lock_file(struct host_keys *k, char **err);
/* Makes s the current snapshot and frees the old one. */
void host_keys_swap_in(struct host_keys *k, struct snap *s);

/*
 * One change: fresh snapshot from the file, fn applies the change (returns
 * 0 changed, 1 nothing to write, or an error code), write, swap. Caller
 * holds nothing.
 */
typedef int (*change_fn)(struct host_keys *k, struct snap *s, void *arg, char **err);
int host_keys_change(struct host_keys *k, change_fn fn, void *arg, char **err);

#endif
