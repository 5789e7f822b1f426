/*
 * keys_file.c - secrets.json on disk: parsing it into a snapshot and
 * serialising one, written atomically (common/file_atomic.h),
 * the flock on secrets.lock, and the change protocol (fresh snapshot from
 * the file, apply, write, swap in).
 */
#include "host/keys/keys_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "host/config/jsonc.h"
#include "common/file_atomic.h"
#include "common/xalloc.h"

#define SECRETS_PREFIX "Unable to parse secrets file"
#define SECRETS_VERSION 1

/* ---- parsing and serialising ---- */

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
	host_keys_key_set(k, key, json_string_value(name), json_string_value(value));
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
		if (host_keys_keyset_find(ks, tmp.name)) {
			*err = xasprintf("secrets file '%s': key '%s' appears twice in %s",
					 k->path, tmp.name, where);
			host_keys_key_cleanup(&tmp);
			return -1;
		}
		*host_keys_keyset_add(ks) = tmp;
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

		if (!host_keys_name_valid(fname) || host_keys_snap_function(s, fname)) {
			*err = xasprintf("secrets file '%s': invalid or repeated function name in "
					 "functions", k->path);
			return -1;
		}
		if (!json_is_object(f)) {
			*err = xasprintf("secrets file '%s': functions.%s must be an object with a "
					 "keys array", k->path, fname);
			return -1;
		}
		fk = host_keys_snap_add_function(s, fname);
		where = xasprintf("functions.%s.keys", fname);
		rc = parse_keyset(k, json_object_get(f, "keys"), where, &fk->keys, err);
		free(where);
		if (rc < 0)
			return -1;
		if (fk->keys.n == 0)
			host_keys_snap_remove_function(s, fk);
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

/* ---- reading, writing and changing the file ---- */

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
	rc = rt_file_write_atomic(k->path, data, strlen(data), 0600, err);
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
int host_keys_read_snap(struct host_keys *k, struct snap **out, char **err)
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
		host_keys_key_set(k, host_keys_keyset_add(&s->host), "default", value);
	} else if (parse_snap(k, root, s, &incomplete, err) < 0) {
		goto fail;
	}
	if (incomplete) {
		host_keys_generate(value);
		host_keys_key_set(k, &s->master, "master", value);
		dirty = 1;
	}
	if (!host_keys_keyset_find(&s->system, HOST_KEYS_DURABLE)) {
		host_keys_generate(value);
		host_keys_key_set(k, host_keys_keyset_add(&s->system), HOST_KEYS_DURABLE, value);
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
	host_keys_snap_free(s);
	return -1;
}

int host_keys_lock_file(struct host_keys *k, char **err)
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

void host_keys_swap_in(struct host_keys *k, struct snap *s)
{
	struct snap *old;

	pthread_rwlock_wrlock(&k->lock);
	old = k->cur;
	k->cur = s;
	pthread_rwlock_unlock(&k->lock);
	host_keys_snap_free(old);
	atomic_fetch_add(&k->gen, 1);
}

int host_keys_change(struct host_keys *k, change_fn fn, void *arg, char **err)
{
	struct snap *s = NULL;
	int fd, rc;

	pthread_mutex_lock(&k->write);
	fd = host_keys_lock_file(k, err);
	if (fd < 0) {
		rc = -1;
		goto out;
	}
	rc = host_keys_read_snap(k, &s, err);
	if (rc < 0)
		goto out_unlock;
	rc = fn(k, s, arg, err);
	if (rc == 0 && write_snap(k, s, err) < 0)
		rc = -1;
	if (rc >= 0) {
		host_keys_swap_in(k, s);
		s = NULL;
		rc = 0;
	}
out_unlock:
	close(fd);
out:
	host_keys_snap_free(s);
	pthread_mutex_unlock(&k->write);
	return rc;
}
