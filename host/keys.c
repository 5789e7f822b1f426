/*
 * keys.c - the key store and the settings cipher (formats: see keys.h).
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
#include "keys.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "jsonc.h"
#include "xalloc.h"

#define MAC_BYTES 32
#define SECRETS_PREFIX "Unable to parse secrets file"
#define SECRETS_VERSION 1

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

/* ---- names, values, generation ---- */

int host_keys_name_valid(const char *name)
{
	size_t n = 0;

	if (!name)
		return 0;
	for (; name[n]; n++) {
		char c = name[n];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return 0;
	}
	return n >= 1 && n <= HOST_KEYS_NAME_MAX;
}

int host_keys_value_valid(const char *value)
{
	size_t n = 0;

	if (!value)
		return 0;
	for (; value[n]; n++)
		if ((unsigned char)value[n] <= 0x20 || (unsigned char)value[n] >= 0x7f)
			return 0;
	return n >= HOST_KEYS_VALUE_MIN && n <= HOST_KEYS_VALUE_MAX;
}

void host_keys_generate(char out[HOST_KEYS_VALUE_LEN + 1])
{
	unsigned char bin[HOST_KEYS_RANDOM_BYTES];

	randombytes_buf(bin, sizeof(bin));
	sodium_bin2base64(out, HOST_KEYS_VALUE_LEN + 1, bin, sizeof(bin),
			  sodium_base64_VARIANT_URLSAFE);
	sodium_memzero(bin, sizeof(bin));
}

/* ---- snapshots ---- */

static void key_set(const struct host_keys *k, struct key *key, const char *name,
		    const char *value)
{
	char *old = key->value;

	if (!key->name || strcmp(key->name, name) != 0) {
		free(key->name);
		key->name = xstrdup(name);
	}
	key->value = xstrdup(value);
	crypto_generichash(key->mac, MAC_BYTES, (const unsigned char *)value, strlen(value),
			   k->mac_key, sizeof(k->mac_key));
	if (old) {
		sodium_memzero(old, strlen(old));
		free(old);
	}
}

static void key_cleanup(struct key *key)
{
	free(key->name);
	if (key->value) {
		sodium_memzero(key->value, strlen(key->value));
		free(key->value);
	}
	memset(key, 0, sizeof(*key));
}

static void keyset_cleanup(struct keyset *ks)
{
	for (size_t i = 0; i < ks->n; i++)
		key_cleanup(&ks->v[i]);
	free(ks->v);
	ks->v = NULL;
	ks->n = 0;
}

static void snap_free(struct snap *s)
{
	if (!s)
		return;
	key_cleanup(&s->master);
	keyset_cleanup(&s->host);
	keyset_cleanup(&s->system);
	for (size_t i = 0; i < s->nfns; i++) {
		free(s->fns[i].function);
		keyset_cleanup(&s->fns[i].keys);
	}
	free(s->fns);
	free(s);
}

static struct key *keyset_find(const struct keyset *ks, const char *name)
{
	for (size_t i = 0; i < ks->n; i++)
		if (strcasecmp(ks->v[i].name, name) == 0)
			return &ks->v[i];
	return NULL;
}

static struct key *keyset_add(struct keyset *ks)
{
	ks->v = xrealloc(ks->v, (ks->n + 1) * sizeof(*ks->v));
	memset(&ks->v[ks->n], 0, sizeof(*ks->v));
	return &ks->v[ks->n++];
}

static void keyset_remove(struct keyset *ks, struct key *key)
{
	size_t i = (size_t)(key - ks->v);

	key_cleanup(key);
	memmove(&ks->v[i], &ks->v[i + 1], (ks->n - i - 1) * sizeof(*ks->v));
	ks->n--;
}

static struct fnkeys *snap_function(const struct snap *s, const char *function)
{
	for (size_t i = 0; function && i < s->nfns; i++)
		if (strcasecmp(s->fns[i].function, function) == 0)
			return &s->fns[i];
	return NULL;
}

static struct fnkeys *snap_add_function(struct snap *s, const char *function)
{
	struct fnkeys *f;

	s->fns = xrealloc(s->fns, (s->nfns + 1) * sizeof(*s->fns));
	f = &s->fns[s->nfns++];
	memset(f, 0, sizeof(*f));
	f->function = xstrdup(function);
	return f;
}

static void snap_remove_function(struct snap *s, struct fnkeys *f)
{
	size_t i = (size_t)(f - s->fns);

	free(f->function);
	keyset_cleanup(&f->keys);
	memmove(&s->fns[i], &s->fns[i + 1], (s->nfns - i - 1) * sizeof(*s->fns));
	s->nfns--;
}

/* ---- the file ---- */

static int parse_key(const struct host_keys *k, json_t *o, const char *where, struct key *key,
		     char **err)
{
	json_t *name = json_object_get(o, "name"), *value = json_object_get(o, "value");
	json_t *enc = json_object_get(o, "encrypted");

	if (!json_is_object(o) || !json_is_string(name) || !json_is_string(value)) {
		*err = xasprintf("secrets file '%s': %s must be an object with string name and "
				 "value", k->path, where);
		return -1;
	}
	if (enc && json_is_true(enc)) {
		*err = xasprintf("secrets file '%s': key '%s' in %s is marked encrypted, which "
				 "cfunc does not support", k->path, json_string_value(name), where);
		return -1;
	}
	if (!host_keys_name_valid(json_string_value(name))) {
		*err = xasprintf("secrets file '%s': invalid key name in %s (1 to %d characters "
				 "of A-Z a-z 0-9 _ . -)", k->path, where, HOST_KEYS_NAME_MAX);
		return -1;
	}
	if (!host_keys_value_valid(json_string_value(value))) {
		*err = xasprintf("secrets file '%s': the value of key '%s' in %s must be %d to %d "
				 "printable characters without spaces", k->path,
				 json_string_value(name), where, HOST_KEYS_VALUE_MIN,
				 HOST_KEYS_VALUE_MAX);
		return -1;
	}
	key_set(k, key, json_string_value(name), json_string_value(value));
	return 0;
}

static int parse_keyset(const struct host_keys *k, json_t *arr, const char *where,
			struct keyset *ks, char **err)
{
	size_t i;
	json_t *o;

	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr)) {
		*err = xasprintf("secrets file '%s': %s must be an array", k->path, where);
		return -1;
	}
	json_array_foreach(arr, i, o) {
		struct key tmp = {0};
		if (parse_key(k, o, where, &tmp, err) < 0)
			return -1;
		if (keyset_find(ks, tmp.name)) {
			*err = xasprintf("secrets file '%s': key '%s' appears twice in %s",
					 k->path, tmp.name, where);
			key_cleanup(&tmp);
			return -1;
		}
		*keyset_add(ks) = tmp;
	}
	return 0;
}

/* Parses the file into *s; *incomplete = 1 if the master key is missing. */
static int parse_snap(const struct host_keys *k, json_t *root, struct snap *s, int *incomplete,
		      char **err)
{
	json_t *master = json_object_get(root, "masterKey");
	json_t *fns = json_object_get(root, "functions"), *f;
	const char *fname;

	*incomplete = 0;
	if (master && !json_is_null(master)) {
		if (parse_key(k, master, "masterKey", &s->master, err) < 0)
			return -1;
	} else {
		*incomplete = 1;
	}
	if (parse_keyset(k, json_object_get(root, "functionKeys"), "functionKeys", &s->host,
			 err) < 0 ||
	    parse_keyset(k, json_object_get(root, "systemKeys"), "systemKeys", &s->system,
			 err) < 0)
		return -1;
	if (!fns || json_is_null(fns))
		return 0;
	if (!json_is_object(fns)) {
		*err = xasprintf("secrets file '%s': functions must be an object", k->path);
		return -1;
	}
	json_object_foreach(fns, fname, f) {
		struct fnkeys *fk;
		char *where;
		int rc;

		if (!host_keys_name_valid(fname) || snap_function(s, fname)) {
			*err = xasprintf("secrets file '%s': invalid or repeated function name in "
					 "functions", k->path);
			return -1;
		}
		if (!json_is_object(f)) {
			*err = xasprintf("secrets file '%s': functions.%s must be an object with a "
					 "keys array", k->path, fname);
			return -1;
		}
		fk = snap_add_function(s, fname);
		where = xasprintf("functions.%s.keys", fname);
		rc = parse_keyset(k, json_object_get(f, "keys"), where, &fk->keys, err);
		free(where);
		if (rc < 0)
			return -1;
		if (fk->keys.n == 0)
			snap_remove_function(s, fk);
	}
	return 0;
}

static json_t *key_json(const struct key *key)
{
	return json_pack("{s:s, s:s, s:b}", "name", key->name, "value", key->value, "encrypted",
			 0);
}

static json_t *keyset_json(const struct keyset *ks)
{
	json_t *a = json_array();

	for (size_t i = 0; i < ks->n; i++)
		json_array_append_new(a, key_json(&ks->v[i]));
	return a;
}

static json_t *snap_json(const struct snap *s)
{
	json_t *root = json_object(), *fns = json_object();

	json_object_set_new(root, "masterKey", key_json(&s->master));
	json_object_set_new(root, "functionKeys", keyset_json(&s->host));
	json_object_set_new(root, "systemKeys", keyset_json(&s->system));
	for (size_t i = 0; i < s->nfns; i++)
		json_object_set_new(fns, s->fns[i].function,
				    json_pack("{s:o}", "keys", keyset_json(&s->fns[i].keys)));
	json_object_set_new(root, "functions", fns);
	json_object_set_new(root, "source", json_string("cfunc"));
	json_object_set_new(root, "version", json_integer(SECRETS_VERSION));
	return root;
}

static void fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, data, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

int host_keys_write_file(const char *path, const char *data, size_t len, unsigned mode,
			 char **err)
{
	char *dir = dir_of(path), *tmp;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	int fd, saved;

	tmp = xasprintf("%s/.%s.XXXXXX", dir, base);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		*err = xasprintf("cannot create a temporary file next to %s: %s", path,
				 strerror(errno));
		goto fail;
	}
	if (fchmod(fd, (mode_t)mode) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0) {
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
	fsync_dir(dir);
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

static int write_snap(struct host_keys *k, const struct snap *s, char **err)
{
	json_t *root = snap_json(s);
	char *text = json_dumps(root, JSON_INDENT(2)), *data;
	int rc;

	if (!text) {
		json_decref(root);
		*err = xasprintf("cannot encode %s", k->path);
		return -1;
	}
	data = xasprintf("%s\n", text);
	rc = host_keys_write_file(k->path, data, strlen(data), 0600, err);
	if (rc == 0 && stat(k->path, &k->seen) < 0)
		memset(&k->seen, 0, sizeof(k->seen));
	sodium_memzero(text, strlen(text));
	sodium_memzero(data, strlen(data));
	free(text);
	free(data);
	json_decref(root);
	return rc;
}

/*
 * Reads the file into a new snapshot, creating the file or the missing
 * mandatory keys (then writing it back). Caller holds the flock.
 */
static int read_snap(struct host_keys *k, struct snap **out, char **err)
{
	struct snap *s = xcalloc(1, sizeof(*s));
	json_t *root = NULL;
	char value[HOST_KEYS_VALUE_LEN + 1];
	int rc, dirty = 0, incomplete = 1;

	rc = host_jsonc_load(k->path, SECRETS_PREFIX, &root, err);
	if (rc < 0)
		goto fail;
	if (rc == HOST_JSONC_MISSING) {
		dirty = 1;
		host_keys_generate(value);
		key_set(k, keyset_add(&s->host), "default", value);
	} else if (parse_snap(k, root, s, &incomplete, err) < 0) {
		goto fail;
	}
	if (incomplete) {
		host_keys_generate(value);
		key_set(k, &s->master, "master", value);
		dirty = 1;
	}
	if (!keyset_find(&s->system, HOST_KEYS_DURABLE)) {
		host_keys_generate(value);
		key_set(k, keyset_add(&s->system), HOST_KEYS_DURABLE, value);
		dirty = 1;
	}
	sodium_memzero(value, sizeof(value));
	if (dirty && write_snap(k, s, err) < 0)
		goto fail;
	if (!dirty) {
		struct stat st;
		/* Our file: keep it private even if someone loosened it. */
		if (stat(k->path, &st) == 0) {
			if (st.st_mode & 077)
				(void)chmod(k->path, 0600);
			k->seen = st;
		}
	}
	json_decref(root);
	*out = s;
	return 0;
fail:
	json_decref(root);
	snap_free(s);
	return -1;
}

static int lock_file(struct host_keys *k, char **err)
{
	int fd = open(k->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		*err = xasprintf("cannot open %s: %s", k->lock_path, strerror(errno));
		return -1;
	}
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			*err = xasprintf("cannot lock %s: %s", k->lock_path, strerror(errno));
			close(fd);
			return -1;
		}
	}
	return fd;
}

static void swap_in(struct host_keys *k, struct snap *s)
{
	struct snap *old;

	pthread_rwlock_wrlock(&k->lock);
	old = k->cur;
	k->cur = s;
	pthread_rwlock_unlock(&k->lock);
	snap_free(old);
	atomic_fetch_add(&k->gen, 1);
}

/*
 * One change: fresh snapshot from the file, fn applies the change (returns
 * 0 changed, 1 nothing to write, or an error code), write, swap. Caller
 * holds nothing.
 */
typedef int (*change_fn)(struct host_keys *k, struct snap *s, void *arg, char **err);

static int change(struct host_keys *k, change_fn fn, void *arg, char **err)
{
	struct snap *s = NULL;
	int fd, rc;

	pthread_mutex_lock(&k->write);
	fd = lock_file(k, err);
	if (fd < 0) {
		rc = -1;
		goto out;
	}
	rc = read_snap(k, &s, err);
	if (rc < 0)
		goto out_unlock;
	rc = fn(k, s, arg, err);
	if (rc == 0 && write_snap(k, s, err) < 0)
		rc = -1;
	if (rc >= 0) {
		swap_in(k, s);
		s = NULL;
		rc = 0;
	}
out_unlock:
	close(fd);
out:
	snap_free(s);
	pthread_mutex_unlock(&k->write);
	return rc;
}

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
	fd = lock_file(k, err);
	if (fd < 0)
		goto fail;
	if (read_snap(k, &s, err) < 0) {
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
	snap_free(k->cur);
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
	fd = lock_file(k, err);
	if (fd < 0 || read_snap(k, &s, err) < 0) {
		if (fd >= 0)
			close(fd);
		pthread_mutex_unlock(&k->write);
		return -1;
	}
	close(fd);
	swap_in(k, s);
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
	f = snap_function(k->cur, function);
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
		f = snap_function(s, function);
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
		key = ks ? keyset_find(ks, name) : NULL;
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
		key_set(k, key, "master", value);
	} else {
		ks = scope_set(s, a->scope, a->function);
		if (!ks)
			ks = &snap_add_function(s, a->function)->keys;
		key = keyset_find(ks, a->name);
		a->created = key == NULL;
		if (!key)
			key = keyset_add(ks);
		/* A replaced key keeps the spelling it had. */
		key_set(k, key, key->name ? key->name : a->name, value);
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
	rc = change(k, apply_set, &a, err);
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
	struct key *key = ks ? keyset_find(ks, a->name) : NULL;

	(void)k;
	(void)err;
	if (!key)
		return HOST_KEYS_E_NOTFOUND;
	keyset_remove(ks, key);
	if (a->scope == HOST_KEYS_SCOPE_FUNCTION && ks->n == 0)
		snap_remove_function(s, snap_function(s, a->function));
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
	return change(k, apply_delete, &a, err);
}

static int apply_ensure(struct host_keys *k, struct snap *s, void *arg, char **err)
{
	struct set_arg *a = arg;
	char gen[HOST_KEYS_VALUE_LEN + 1];

	(void)err;
	if (snap_function(s, a->function))
		return 1;
	host_keys_generate(gen);
	key_set(k, keyset_add(&snap_add_function(s, a->function)->keys), "default", gen);
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
	has = snap_function(k->cur, function) != NULL;
	pthread_rwlock_unlock(&k->lock);
	if (has)
		return 0;
	rc = change(k, apply_ensure, &a, err);
	if (rc == 0 && created)
		*created = a.created;
	return rc;
}

/* ---- settings key and sealed values ---- */

char *host_keys_settings_key_path(char **err)
{
	const char *d = getenv("CFUNC_SECRETS_DIR");
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (d && *d)
		return xasprintf("%s/settings.key", d);
	d = getenv("XDG_CONFIG_HOME");
	if (d && d[0] == '/')
		return xasprintf("%s/cfunc/settings.key", d);
	d = getenv("HOME");
	if ((!d || !*d) && getpwuid_r(getuid(), &pw, buf, sizeof(buf), &res) == 0 && res)
		d = res->pw_dir;
	if (!d || !*d) {
		*err = xstrdup("cannot find a folder for the settings key: set CFUNC_SECRETS_DIR "
			       "or HOME");
		return NULL;
	}
	return xasprintf("%s/.config/cfunc/settings.key", d);
}

/* mkdir -p; folders it creates are 0700. */
static int mkdir_p(const char *dir, char **err)
{
	char *p = xstrdup(dir);
	int rc = 0;

	for (char *s = p + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, 0700) < 0 && errno != EEXIST) {
				*err = xasprintf("cannot create %s: %s", p, strerror(errno));
				rc = -1;
				break;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	return rc;
}

/* 1 = read, 0 = does not exist, -1 = error. */
static int read_key_file(const char *path, unsigned char *key, char **err)
{
	char text[256];
	struct stat st;
	size_t len = 0, bin_len = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		*err = xasprintf("cannot open the settings key '%s': %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		*err = xasprintf("the settings key '%s' is not a regular file", path);
		goto fail;
	}
	if (st.st_mode & 077) {
		*err = xasprintf("the settings key '%s' is accessible by other users (mode %03o); "
				 "run 'chmod 600 %s'", path, (unsigned)(st.st_mode & 0777), path);
		goto fail;
	}
	while (len < sizeof(text) - 1 && (r = read(fd, text + len, sizeof(text) - 1 - len)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			*err = xasprintf("cannot read the settings key '%s': %s", path,
					 strerror(errno));
			goto fail;
		}
		len += (size_t)r;
	}
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
		len--;
	text[len] = '\0';
	if (sodium_base642bin(key, HOST_KEYS_SETTINGS_KEY_BYTES, text, len, NULL, &bin_len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    bin_len != HOST_KEYS_SETTINGS_KEY_BYTES) {
		*err = xasprintf("the settings key '%s' is malformed (expected base64 of %d bytes)",
				 path, HOST_KEYS_SETTINGS_KEY_BYTES);
		goto fail;
	}
	sodium_memzero(text, sizeof(text));
	close(fd);
	return 1;
fail:
	sodium_memzero(text, sizeof(text));
	close(fd);
	return -1;
}

/* Creates the key file with link(2), so an existing file is never replaced. */
static int create_key_file(const char *path, char **err)
{
	unsigned char key[HOST_KEYS_SETTINGS_KEY_BYTES];
	char b64[sodium_base64_ENCODED_LEN(HOST_KEYS_SETTINGS_KEY_BYTES,
					   sodium_base64_VARIANT_ORIGINAL) + 1];
	char *dir = dir_of(path), *tmp = NULL;
	int fd = -1, rc = -1;
	size_t n;

	if (mkdir_p(dir, err) < 0)
		goto out;
	randombytes_buf(key, sizeof(key));
	sodium_bin2base64(b64, sizeof(b64) - 1, key, sizeof(key), sodium_base64_VARIANT_ORIGINAL);
	n = strlen(b64);
	b64[n++] = '\n';
	tmp = xasprintf("%s/.settings.key.XXXXXX", dir);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		*err = xasprintf("cannot create the settings key in %s: %s", dir, strerror(errno));
		goto out;
	}
	if (fchmod(fd, 0600) < 0 || write_all(fd, b64, n) < 0 || fsync(fd) < 0) {
		*err = xasprintf("cannot write the settings key '%s': %s", path, strerror(errno));
		goto out_unlink;
	}
	if (link(tmp, path) < 0 && errno != EEXIST) {
		*err = xasprintf("cannot create the settings key '%s': %s", path, strerror(errno));
		goto out_unlink;
	}
	fsync_dir(dir);
	rc = 0;
out_unlink:
	unlink(tmp);
out:
	if (fd >= 0)
		close(fd);
	sodium_memzero(key, sizeof(key));
	sodium_memzero(b64, sizeof(b64));
	free(tmp);
	free(dir);
	return rc;
}

int host_keys_settings_key(unsigned char key[HOST_KEYS_SETTINGS_KEY_BYTES], int create,
			   char **path, char **err)
{
	char *p;
	int rc;

	*err = NULL;
	if (path)
		*path = NULL;
	if (sodium_init() < 0) {
		*err = xstrdup("cannot initialise libsodium");
		return -1;
	}
	p = host_keys_settings_key_path(err);
	if (!p)
		return -1;
	rc = read_key_file(p, key, err);
	if (rc == 0 && create) {
		if (create_key_file(p, err) < 0)
			rc = -1;
		else
			rc = read_key_file(p, key, err); /* ours, or a racing winner's */
	}
	if (rc == 0)
		*err = xasprintf("the settings key '%s' does not exist", p);
	if (path)
		*path = p;
	else
		free(p);
	return rc == 1 ? 0 : -1;
}

char *host_keys_seal(const unsigned char key[HOST_KEYS_SETTINGS_KEY_BYTES], const char *plain)
{
	size_t mlen = strlen(plain), blen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + mlen;
	size_t plen = strlen(HOST_KEYS_SEAL_PREFIX);
	size_t b64len = sodium_base64_ENCODED_LEN(blen, sodium_base64_VARIANT_ORIGINAL);
	unsigned char *blob = xmalloc(blen);
	char *out = xmalloc(plen + b64len);

	randombytes_buf(blob, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(blob + crypto_secretbox_NONCEBYTES, (const unsigned char *)plain,
			      mlen, blob, key);
	memcpy(out, HOST_KEYS_SEAL_PREFIX, plen);
	sodium_bin2base64(out + plen, b64len, blob, blen, sodium_base64_VARIANT_ORIGINAL);
	free(blob);
	return out;
}

int host_keys_unseal(const unsigned char key[HOST_KEYS_SETTINGS_KEY_BYTES], const char *sealed,
		     char **plain, const char **why)
{
	size_t plen = strlen(HOST_KEYS_SEAL_PREFIX), slen, blen = 0, mlen;
	unsigned char *blob;
	const char *b64;

	*plain = NULL;
	if (strncmp(sealed, HOST_KEYS_SEAL_PREFIX, plen) != 0) {
		*why = "is not encrypted in cfunc's format (files encrypted by Azure Functions "
		       "Core Tools cannot be read: run 'func settings decrypt' there first)";
		return -1;
	}
	b64 = sealed + plen;
	slen = strlen(b64);
	blob = xmalloc(slen + 1);
	if (sodium_base642bin(blob, slen + 1, b64, slen, NULL, &blen, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    blen < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
		free(blob);
		*why = "is malformed";
		return -1;
	}
	mlen = blen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	*plain = xmalloc(mlen + 1);
	if (crypto_secretbox_open_easy((unsigned char *)*plain, blob + crypto_secretbox_NONCEBYTES,
				       blen - crypto_secretbox_NONCEBYTES, blob, key) != 0) {
		free(blob);
		free(*plain);
		*plain = NULL;
		*why = "does not decrypt with this settings key (another key, or the value was "
		       "changed)";
		return -1;
	}
	free(blob);
	(*plain)[mlen] = '\0';
	if (strlen(*plain) != mlen) {
		sodium_memzero(*plain, mlen);
		free(*plain);
		*plain = NULL;
		*why = "decrypts to text with a NUL character";
		return -1;
	}
	return 0;
}

/* Calls fn on every sealable string slot: Values.*, ConnectionStrings.* and
 * ConnectionStrings.*.ConnectionString. fn returns non-zero to stop. */
typedef int (*slot_fn)(json_t *obj, const char *key, const char *section, const char *name,
		       void *arg);

static int each_slot(json_t *root, slot_fn fn, void *arg)
{
	json_t *values = host_jsonc_get(root, "Values", NULL);
	json_t *cs = host_jsonc_get(root, "ConnectionStrings", NULL), *v;
	const char *name;
	int rc;

	if (json_is_object(values))
		json_object_foreach(values, name, v) {
			if (json_is_string(v) && json_string_length(v) > 0 &&
			    (rc = fn(values, name, "Values", name, arg)) != 0)
				return rc;
		}
	if (json_is_object(cs))
		json_object_foreach(cs, name, v) {
			const char *ckey;
			json_t *inner;
			if (json_is_string(v) && json_string_length(v) > 0) {
				if ((rc = fn(cs, name, "ConnectionStrings", name, arg)) != 0)
					return rc;
			} else if (json_is_object(v) &&
				   (inner = host_jsonc_get(v, "ConnectionString", &ckey)) &&
				   json_is_string(inner) && json_string_length(inner) > 0) {
				if ((rc = fn(v, ckey, "ConnectionStrings", name, arg)) != 0)
					return rc;
			}
		}
	return 0;
}

static int count_slot(json_t *obj, const char *key, const char *section, const char *name,
		      void *arg)
{
	(void)obj;
	(void)key;
	(void)section;
	(void)name;
	(*(size_t *)arg)++;
	return 0;
}

size_t host_keys_settings_count(json_t *root)
{
	size_t n = 0;

	each_slot(root, count_slot, &n);
	return n;
}

struct crypt_arg {
	const unsigned char *key;
	const char *path;
	char *err;
};

#define DECRYPT_FAILED "Failed to decrypt settings. Encrypted settings only be edited through " \
		       "'cfunc settings add'."

static int open_slot(json_t *obj, const char *key, const char *section, const char *name,
		     void *arg)
{
	struct crypt_arg *a = arg;
	const char *why;
	char *plain;
	json_t *s;

	if (host_keys_unseal(a->key, json_string_value(json_object_get(obj, key)), &plain,
			     &why) < 0) {
		a->err = xasprintf(DECRYPT_FAILED " The %s '%s' in '%s' %s.",
				   section[0] == 'V' ? "setting" : "connection string", name, a->path,
				   why);
		return -1;
	}
	s = json_string(plain);
	sodium_memzero(plain, strlen(plain));
	free(plain);
	if (!s) {
		a->err = xasprintf(DECRYPT_FAILED " The %s '%s' in '%s' is not valid UTF-8.",
				   section[0] == 'V' ? "setting" : "connection string", name,
				   a->path);
		return -1;
	}
	json_object_set_new(obj, key, s);
	return 0;
}

int host_keys_settings_decrypt(json_t *root, const char *path, char **err)
{
	unsigned char key[HOST_KEYS_SETTINGS_KEY_BYTES];
	struct crypt_arg a = {key, path, NULL};
	char *kerr = NULL;
	int rc;

	*err = NULL;
	if (host_keys_settings_count(root) == 0)
		return 0;
	if (host_keys_settings_key(key, 0, NULL, &kerr) < 0) {
		*err = xasprintf(DECRYPT_FAILED " %c%s.", toupper((unsigned char)kerr[0]), kerr + 1);
		free(kerr);
		return -1;
	}
	rc = each_slot(root, open_slot, &a);
	sodium_memzero(key, sizeof(key));
	if (rc != 0) {
		*err = a.err;
		return -1;
	}
	return 0;
}

static int seal_slot(json_t *obj, const char *key, const char *section, const char *name,
		     void *arg)
{
	struct crypt_arg *a = arg;
	char *sealed = host_keys_seal(a->key, json_string_value(json_object_get(obj, key)));

	(void)section;
	(void)name;
	json_object_set_new(obj, key, json_string(sealed));
	free(sealed);
	return 0;
}

void host_keys_settings_encrypt(json_t *root, const unsigned char key[HOST_KEYS_SETTINGS_KEY_BYTES])
{
	struct crypt_arg a = {key, NULL, NULL};

	each_slot(root, seal_slot, &a);
}
