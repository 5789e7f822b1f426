/*
 * keys_snap.c - the key store's snapshots in memory: keys with their MACs,
 * key sets, and the per-function sets of a snapshot (find, add, remove,
 * free). A snapshot is only changed before it is swapped in (keys_file.c).
 * Also the rules every key obeys (names, hand-set values) and the making
 * of new values: the bottom of the key store, used by keys.c and
 * keys_file.c alike.
 */
#include "host/keys/keys_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "common/xalloc.h"

void host_keys_key_set(const struct host_keys *k, struct key *key, const char *name,
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

void host_keys_key_cleanup(struct key *key)
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
		host_keys_key_cleanup(&ks->v[i]);
	free(ks->v);
	ks->v = NULL;
	ks->n = 0;
}

void host_keys_snap_free(struct snap *s)
{
	if (!s)
		return;
	host_keys_key_cleanup(&s->master);
	keyset_cleanup(&s->host);
	keyset_cleanup(&s->system);
	for (size_t i = 0; i < s->nfns; i++) {
		free(s->fns[i].function);
		keyset_cleanup(&s->fns[i].keys);
	}
	free(s->fns);
	free(s);
}

struct key *host_keys_keyset_find(const struct keyset *ks, const char *name)
{
	for (size_t i = 0; i < ks->n; i++)
		if (strcasecmp(ks->v[i].name, name) == 0)
			return &ks->v[i];
	return NULL;
}

struct key *host_keys_keyset_add(struct keyset *ks)
{
	ks->v = xrealloc(ks->v, (ks->n + 1) * sizeof(*ks->v));
	memset(&ks->v[ks->n], 0, sizeof(*ks->v));
	return &ks->v[ks->n++];
}

void host_keys_keyset_remove(struct keyset *ks, struct key *key)
{
	size_t i = (size_t)(key - ks->v);

	host_keys_key_cleanup(key);
	memmove(&ks->v[i], &ks->v[i + 1], (ks->n - i - 1) * sizeof(*ks->v));
	ks->n--;
}

struct fnkeys *host_keys_snap_function(const struct snap *s, const char *function)
{
	for (size_t i = 0; function && i < s->nfns; i++)
		if (strcasecmp(s->fns[i].function, function) == 0)
			return &s->fns[i];
	return NULL;
}

struct fnkeys *host_keys_snap_add_function(struct snap *s, const char *function)
{
	struct fnkeys *f;

	s->fns = xrealloc(s->fns, (s->nfns + 1) * sizeof(*s->fns));
	f = &s->fns[s->nfns++];
	memset(f, 0, sizeof(*f));
	f->function = xstrdup(function);
	return f;
}

void host_keys_snap_remove_function(struct snap *s, struct fnkeys *f)
{
	size_t i = (size_t)(f - s->fns);

	free(f->function);
	keyset_cleanup(&f->keys);
	memmove(&s->fns[i], &s->fns[i + 1], (s->nfns - i - 1) * sizeof(*s->fns));
	s->nfns--;
}

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
