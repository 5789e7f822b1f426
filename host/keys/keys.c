/*
 * keys.c - the key store's API (formats: see keys.h): names, values and
 * their generation, loading and refreshing the store, classifying a
 * presented key, reading keys and changing them. Snapshots are in
 * keys_snap.c, the file and the change protocol in keys_file.c, the
 * encryption of local.settings.json in keys_settings.c.
 *
 * The store owns one immutable snapshot at a time (struct snap). Readers
 * hold k->lock for reading while they look at it; a change never edits a
 * snapshot: under k->write (one change at a time in this process) and an
 * flock on secrets.lock (one change at a time across processes) it reads
 * the file again into a fresh snapshot, so a change made by `cfunc keys`
 * meanwhile is kept, applies the change, writes the file atomically and
 * only then swaps the snapshot in under the write lock. If any step fails
 * the old snapshot and the old file stay.
 *
 * Every key carries mac = BLAKE2b-256(value) keyed with k->mac_key, random
 * per process; classification compares MACs only (see keys.h).
 */
#include "host/keys/keys.h"
#include "host/keys/keys_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "common/xalloc.h"

/* ---- public: lifecycle ---- */

static int mkdir_private(const char *dir, char **err)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		*err = xasprintf("cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

int host_keys_load(struct host_keys **out, const char *root, char **err)
{
	struct host_keys *k;
	struct snap *s = NULL;
	int fd;

	*out = NULL;
	*err = NULL;
	if (sodium_init() < 0) {
		*err = xstrdup("cannot initialise libsodium");
		return -1;
	}
	k = xcalloc(1, sizeof(*k));
	k->dir = xasprintf("%s%s.cfunc", root, strcmp(root, "/") ? "/" : "");
	k->path = xasprintf("%s/secrets.json", k->dir);
	k->lock_path = xasprintf("%s/secrets.lock", k->dir);
	randombytes_buf(k->mac_key, sizeof(k->mac_key));
	pthread_rwlock_init(&k->lock, NULL);
	pthread_mutex_init(&k->write, NULL);
	if (mkdir_private(k->dir, err) < 0)
		goto fail;
	fd = host_keys_lock_file(k, err);
	if (fd < 0)
		goto fail;
	if (host_keys_read_snap(k, &s, err) < 0) {
		close(fd);
		goto fail;
	}
	close(fd);
	k->cur = s;
	*out = k;
	return 0;
fail:
	host_keys_free(k);
	return -1;
}

void host_keys_free(struct host_keys *k)
{
	if (!k)
		return;
	host_keys_snap_free(k->cur);
	pthread_rwlock_destroy(&k->lock);
	pthread_mutex_destroy(&k->write);
	sodium_memzero(k->mac_key, sizeof(k->mac_key));
	free(k->dir);
	free(k->path);
	free(k->lock_path);
	free(k);
}

const char *host_keys_path(const struct host_keys *k)
{
	return k->path;
}

uint64_t host_keys_generation(struct host_keys *k)
{
	return atomic_load(&k->gen);
}

int host_keys_refresh(struct host_keys *k, char **err)
{
	struct stat st;
	struct snap *s;
	int fd, same;

	*err = NULL;
	pthread_mutex_lock(&k->write);
	same = stat(k->path, &st) == 0 && st.st_ino == k->seen.st_ino &&
	       st.st_dev == k->seen.st_dev && st.st_size == k->seen.st_size &&
	       st.st_mtim.tv_sec == k->seen.st_mtim.tv_sec &&
	       st.st_mtim.tv_nsec == k->seen.st_mtim.tv_nsec &&
	       st.st_ctim.tv_sec == k->seen.st_ctim.tv_sec &&
	       st.st_ctim.tv_nsec == k->seen.st_ctim.tv_nsec;
	if (same) {
		pthread_mutex_unlock(&k->write);
		return 0;
	}
	fd = host_keys_lock_file(k, err);
	if (fd < 0 || host_keys_read_snap(k, &s, err) < 0) {
		if (fd >= 0)
			close(fd);
		pthread_mutex_unlock(&k->write);
		return -1;
	}
	close(fd);
	host_keys_swap_in(k, s);
	pthread_mutex_unlock(&k->write);
	return 1;
}

/* ---- public: reading ---- */

/* Compares against every key of the set; returns the first match. */
static const struct key *scan(const struct keyset *ks, const unsigned char *mac)
{
	const struct key *hit = NULL;

	for (size_t i = 0; i < ks->n; i++) {
		int eq = sodium_memcmp(mac, ks->v[i].mac, MAC_BYTES) == 0;
		if (eq && !hit)
			hit = &ks->v[i];
	}
	return hit;
}

enum host_keys_level host_keys_classify(struct host_keys *k, const char *key, size_t len,
					const char *function, char *name)
{
	unsigned char mac[MAC_BYTES];
	const struct key *master, *sys, *host, *fn = NULL, *hit;
	const struct fnkeys *f;
	enum host_keys_level level;

	if (name)
		name[0] = '\0';
	if (!key || len == 0 || len > HOST_KEYS_VALUE_MAX)
		return HOST_KEYS_LEVEL_NONE;
	crypto_generichash(mac, MAC_BYTES, (const unsigned char *)key, len, k->mac_key,
			   sizeof(k->mac_key));
	pthread_rwlock_rdlock(&k->lock);
	master = sodium_memcmp(mac, k->cur->master.mac, MAC_BYTES) == 0 ? &k->cur->master : NULL;
	sys = scan(&k->cur->system, mac);
	host = scan(&k->cur->host, mac);
	f = host_keys_snap_function(k->cur, function);
	if (f)
		fn = scan(&f->keys, mac);
	if (master) {
		level = HOST_KEYS_LEVEL_ADMIN;
		hit = master;
	} else if (sys) {
		level = HOST_KEYS_LEVEL_SYSTEM;
		hit = sys;
	} else if (host || fn) {
		level = HOST_KEYS_LEVEL_FUNCTION;
		hit = host ? host : fn;
	} else {
		level = HOST_KEYS_LEVEL_NONE;
		hit = NULL;
	}
	if (hit && name)
		snprintf(name, HOST_KEYS_NAME_MAX + 1, "%s", hit->name);
	pthread_rwlock_unlock(&k->lock);
	sodium_memzero(mac, sizeof(mac));
	return level;
}

static int is_master(enum host_keys_scope scope, const char *name)
{
	return scope == HOST_KEYS_SCOPE_SYSTEM && name && strcasecmp(name, HOST_KEYS_MASTER) == 0;
}

/* The set a scope names, or NULL (function without keys). */
static struct keyset *scope_set(const struct snap *s, enum host_keys_scope scope,
				const char *function)
{
	struct fnkeys *f;

	switch (scope) {
	case HOST_KEYS_SCOPE_HOST:
		return (struct keyset *)&s->host;
	case HOST_KEYS_SCOPE_SYSTEM:
		return (struct keyset *)&s->system;
	case HOST_KEYS_SCOPE_FUNCTION:
		f = host_keys_snap_function(s, function);
		return f ? &f->keys : NULL;
	}
	return NULL;
}

char *host_keys_system_dup(struct host_keys *k, const char *name)
{
	char *v = NULL;

	host_keys_get(k, HOST_KEYS_SCOPE_SYSTEM, NULL, name, &v);
	return v;
}

int host_keys_get(struct host_keys *k, enum host_keys_scope scope, const char *function,
		  const char *name, char **value)
{
	const struct keyset *ks;
	const struct key *key = NULL;

	*value = NULL;
	if (!name)
		return HOST_KEYS_E_NOTFOUND;
	pthread_rwlock_rdlock(&k->lock);
	if (is_master(scope, name)) {
		key = &k->cur->master;
	} else {
		ks = scope_set(k->cur, scope, function);
		key = ks ? host_keys_keyset_find(ks, name) : NULL;
	}
	if (key)
		*value = xstrdup(key->value);
	pthread_rwlock_unlock(&k->lock);
	return key ? 0 : HOST_KEYS_E_NOTFOUND;
}

void host_keys_list(struct host_keys *k, enum host_keys_scope scope, const char *function,
		    struct host_keys_entry **out, size_t *n)
{
	const struct keyset *ks;

	pthread_rwlock_rdlock(&k->lock);
	ks = scope_set(k->cur, scope, function);
	*n = ks ? ks->n : 0;
	*out = xcalloc(*n + 1, sizeof(**out));
	for (size_t i = 0; i < *n; i++) {
		(*out)[i].name = xstrdup(ks->v[i].name);
		(*out)[i].value = xstrdup(ks->v[i].value);
	}
	pthread_rwlock_unlock(&k->lock);
}

void host_keys_entries_free(struct host_keys_entry *e, size_t n)
{
	if (!e)
		return;
	for (size_t i = 0; i < n; i++) {
		free(e[i].name);
		if (e[i].value) {
			sodium_memzero(e[i].value, strlen(e[i].value));
			free(e[i].value);
		}
	}
	free(e);
}

void host_keys_function_names(struct host_keys *k, char ***names, size_t *n)
{
	pthread_rwlock_rdlock(&k->lock);
	*n = k->cur->nfns;
	*names = xcalloc(*n + 1, sizeof(**names));
	for (size_t i = 0; i < *n; i++)
		(*names)[i] = xstrdup(k->cur->fns[i].function);
	pthread_rwlock_unlock(&k->lock);
}

/* ---- public: changes ---- */

struct set_arg {
	enum host_keys_scope scope;
	const char *function, *name, *value;
	int created;
	char *value_out;
};

static int check_target(enum host_keys_scope scope, const char *function, const char *name,
			char **err)
{
	if (!host_keys_name_valid(name)) {
		*err = xasprintf("invalid key name '%s': use 1 to %d characters of A-Z a-z 0-9 _ . -",
				 name ? name : "", HOST_KEYS_NAME_MAX);
		return HOST_KEYS_E_INVALID;
	}
	if (scope == HOST_KEYS_SCOPE_FUNCTION && !host_keys_name_valid(function)) {
		*err = xasprintf("invalid function name '%s'", function ? function : "");
		return HOST_KEYS_E_INVALID;
	}
	if (scope != HOST_KEYS_SCOPE_SYSTEM && strcasecmp(name, HOST_KEYS_MASTER) == 0) {
		*err = xasprintf("'%s' names the master key, a system key", HOST_KEYS_MASTER);
		return HOST_KEYS_E_INVALID;
	}
	return 0;
}

static int apply_set(struct host_keys *k, struct snap *s, void *arg, char **err)
{
	struct set_arg *a = arg;
	char gen[HOST_KEYS_VALUE_LEN + 1];
	const char *value = a->value;
	struct keyset *ks;
	struct key *key;

	(void)err;
	if (!value) {
		host_keys_generate(gen);
		value = gen;
	}
	if (is_master(a->scope, a->name)) {
		key = &s->master;
		a->created = 0;
		host_keys_key_set(k, key, "master", value);
	} else {
		ks = scope_set(s, a->scope, a->function);
		if (!ks)
			ks = &host_keys_snap_add_function(s, a->function)->keys;
		key = host_keys_keyset_find(ks, a->name);
		a->created = key == NULL;
		if (!key)
			key = host_keys_keyset_add(ks);
		/* A replaced key keeps the spelling it had. */
		host_keys_key_set(k, key, key->name ? key->name : a->name, value);
	}
	a->value_out = xstrdup(value);
	sodium_memzero(gen, sizeof(gen));
	return 0;
}

int host_keys_set(struct host_keys *k, enum host_keys_scope scope, const char *function,
		  const char *name, const char *value, int *created, char **value_out,
		  char **err)
{
	struct set_arg a = {scope, function, name, value, 0, NULL};
	int rc;

	*err = NULL;
	if (value_out)
		*value_out = NULL;
	rc = check_target(scope, function, name, err);
	if (rc < 0)
		return rc;
	if (value && !host_keys_value_valid(value)) {
		*err = xasprintf("invalid value for key '%s': use %d to %d printable characters "
				 "without spaces", name, HOST_KEYS_VALUE_MIN, HOST_KEYS_VALUE_MAX);
		return HOST_KEYS_E_INVALID;
	}
	rc = host_keys_change(k, apply_set, &a, err);
	if (rc == 0) {
		if (created)
			*created = a.created;
		if (value_out) {
			*value_out = a.value_out;
			a.value_out = NULL;
		}
	}
	if (a.value_out) {
		sodium_memzero(a.value_out, strlen(a.value_out));
		free(a.value_out);
	}
	return rc;
}

static int apply_delete(struct host_keys *k, struct snap *s, void *arg, char **err)
{
	struct set_arg *a = arg;
	struct keyset *ks = scope_set(s, a->scope, a->function);
	struct key *key = ks ? host_keys_keyset_find(ks, a->name) : NULL;

	(void)k;
	(void)err;
	if (!key)
		return HOST_KEYS_E_NOTFOUND;
	host_keys_keyset_remove(ks, key);
	if (a->scope == HOST_KEYS_SCOPE_FUNCTION && ks->n == 0)
		host_keys_snap_remove_function(s, host_keys_snap_function(s, a->function));
	return 0;
}

int host_keys_delete(struct host_keys *k, enum host_keys_scope scope, const char *function,
		     const char *name, char **err)
{
	struct set_arg a = {scope, function, name, NULL, 0, NULL};
	int rc;

	*err = NULL;
	if (is_master(scope, name))
		return HOST_KEYS_E_MASTER;
	rc = check_target(scope, function, name, err);
	if (rc < 0)
		return rc;
	return host_keys_change(k, apply_delete, &a, err);
}

static int apply_ensure(struct host_keys *k, struct snap *s, void *arg, char **err)
{
	struct set_arg *a = arg;
	char gen[HOST_KEYS_VALUE_LEN + 1];

	(void)err;
	if (host_keys_snap_function(s, a->function))
		return 1;
	host_keys_generate(gen);
	host_keys_key_set(k,
			  host_keys_keyset_add(&host_keys_snap_add_function(s, a->function)->keys),
			  "default", gen);
	sodium_memzero(gen, sizeof(gen));
	a->created = 1;
	return 0;
}

int host_keys_ensure_function(struct host_keys *k, const char *function, int *created,
			      char **err)
{
	struct set_arg a = {HOST_KEYS_SCOPE_FUNCTION, function, "default", NULL, 0, NULL};
	int rc, has;

	*err = NULL;
	if (created)
		*created = 0;
	if (!host_keys_name_valid(function)) {
		*err = xasprintf("invalid function name '%s'", function ? function : "");
		return HOST_KEYS_E_INVALID;
	}
	/* The common case needs no lock file. */
	pthread_rwlock_rdlock(&k->lock);
	has = host_keys_snap_function(k->cur, function) != NULL;
	pthread_rwlock_unlock(&k->lock);
	if (has)
		return 0;
	rc = host_keys_change(k, apply_ensure, &a, err);
	if (rc == 0 && created)
		*created = a.created;
	return rc;
}
