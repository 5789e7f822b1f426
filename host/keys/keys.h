/*
 * keys.h - the host's keys (spec functions-host.md §6 "Auth levels and keys",
 * §7 key endpoints) and the encryption of local.settings.json values (§3).
 *
 * Key store: <app root>/.cfunc/secrets.json, mode 0600, rewritten
 * atomically (temp file in the same folder, fsync, rename, fsync of the
 * folder) under an flock on <app root>/.cfunc/secrets.lock, so the host and
 * `cfunc keys` may change it at the same time without losing an update.
 * Shape (close to the real host's host.json secrets plus its per-function
 * files, all in one file):
 *
 *   {
 *     "masterKey":    {"name": "master", "value": "...", "encrypted": false},
 *     "functionKeys": [{"name": "default", "value": "...", "encrypted": false}],
 *     "systemKeys":   [{"name": "durabletask_extension", "value": "...",
 *                       "encrypted": false}],
 *     "functions":    {"hello": {"keys": [{"name": "default", "value": "...",
 *                                          "encrypted": false}]}},
 *     "source": "cfunc", "version": 1
 *   }
 *
 * "functionKeys" are the host keys (they open every function-level route),
 * as in the real secrets file. Created on first use with a master key, a
 * `default` host key and the `durabletask_extension` system key; a missing
 * master key or durabletask_extension key is generated again on load (the
 * real extension recreates its key at start-up), a deleted host key is not.
 * Function keys appear when asked for (host_keys_ensure_function()).
 * "encrypted": true is refused (the real host's at-rest encryption is not
 * supported).
 *
 * Generated values: 40 bytes from randombytes_buf() (320 bits), URL-safe
 * base64 with padding, i.e. 56 characters [A-Za-z0-9_-] ending in "==", the
 * length and alphabet of func's keys (func's also embed a marker and a
 * checksum; ours are plain random). Values set by hand must be 32..512
 * printable ASCII characters without spaces; names 1..128 characters of
 * [A-Za-z0-9_.-]. Names are matched case-insensitively, as function names.
 *
 * Comparison never touches a stored value directly: every key is stored with
 * a BLAKE2b MAC under a per-process random key, the presented key is MAC'd
 * the same way and compared with sodium_memcmp() over the 32-byte MACs, and
 * every candidate is compared (no early exit), so neither the position of
 * the first differing byte nor the length of a stored key shows in timing.
 *
 * Threads: any number of threads may classify and read while another
 * changes keys. Readers take a read lock on the current snapshot; a change
 * builds a new snapshot from the file, writes it, then swaps it in under the
 * write lock. Key values are never logged by this module.
 */
#ifndef HOST_KEYS_H
#define HOST_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define HOST_KEYS_RANDOM_BYTES 40
#define HOST_KEYS_VALUE_LEN 56 /* generated values, without the NUL */
#define HOST_KEYS_VALUE_MIN 32 /* values set by hand */
#define HOST_KEYS_VALUE_MAX 512
#define HOST_KEYS_NAME_MAX 128

#define HOST_KEYS_MASTER "_master" /* the master key's name in the admin API */
#define HOST_KEYS_DURABLE "durabletask_extension"

/* Results besides 0 (ok) and -1 (I/O or file error, with *err). */
#define HOST_KEYS_E_NOTFOUND (-2) /* no such key (or function) */
#define HOST_KEYS_E_INVALID (-3)  /* bad name or value, *err says which */
#define HOST_KEYS_E_MASTER (-4)   /* the master key cannot be deleted */

struct host_keys;

/* What a presented key opens; ordered, so `level >= required` reads well,
 * but remember the spec: only ADMIN also opens other levels. */
enum host_keys_level {
	HOST_KEYS_LEVEL_NONE = 0,
	HOST_KEYS_LEVEL_FUNCTION,
	HOST_KEYS_LEVEL_SYSTEM,
	HOST_KEYS_LEVEL_ADMIN,
};

/* Which collection an operation works on. The master key is the system key
 * named HOST_KEYS_MASTER ("_master"), as in the admin API. */
enum host_keys_scope {
	HOST_KEYS_SCOPE_HOST,     /* host keys ("functionKeys") */
	HOST_KEYS_SCOPE_SYSTEM,   /* system keys, and "_master" */
	HOST_KEYS_SCOPE_FUNCTION, /* one function's keys */
};

struct host_keys_entry {
	char *name;
	char *value;
};

/*
 * Opens (creating if needed) <root>/.cfunc/secrets.json. Needs sodium_init()
 * (it calls it itself; idempotent). Returns 0 and a new store in *out, or
 * -1 with a one-line *err (caller frees); a malformed file is reported, never
 * overwritten.
 */
int host_keys_load(struct host_keys **out, const char *root, char **err);
void host_keys_free(struct host_keys *k);

/* The absolute path of the secrets file (borrowed until host_keys_free). */
/* Tests and fuzz targets only: the host does not call it. */
const char *host_keys_path(const struct host_keys *k);

/*
 * Re-reads the file if it changed on disk since the last load or write
 * (another process, e.g. `cfunc keys new`, wrote it): compares device,
 * inode, size, mtime and ctime with one stat(2). Returns 1 if reloaded, 0 if unchanged, -1 with
 * *err (the old keys stay in force).
 */
int host_keys_refresh(struct host_keys *k, char **err);

/* Bumped by every change (own or reloaded): cache derived data against it. */
/* Tests and fuzz targets only: the host does not call it. */
uint64_t host_keys_generation(struct host_keys *k);

/*
 * What `key` (len bytes, need not be NUL-terminated; NULL or empty = none)
 * opens for function `function` (NULL: no function, so only host keys give
 * FUNCTION). Order as in the spec: master -> ADMIN; a system key -> SYSTEM;
 * a host key or one of that function's keys -> FUNCTION; else NONE. If
 * `name` is not NULL it receives the matching key's name ("master" for the
 * master key; "" for NONE); size it HOST_KEYS_NAME_MAX + 1. A system-level
 * route checks that name (`<extension>_extension`).
 */
enum host_keys_level host_keys_classify(struct host_keys *k, const char *key, size_t len,
					const char *function, char *name);

/* A system key's value by name ("_master" for the master key), malloc'd,
 * or NULL if there is none. For code= in durable URLs. */
char *host_keys_system_dup(struct host_keys *k, const char *name);

/*
 * The keys of a scope (`function` only for HOST_KEYS_SCOPE_FUNCTION), sorted
 * as stored; the master key is not listed. *out is malloc'd (free with
 * host_keys_entries_free()); a function without keys gives 0 entries.
 */
void host_keys_list(struct host_keys *k, enum host_keys_scope scope, const char *function,
		    struct host_keys_entry **out, size_t *n);
void host_keys_entries_free(struct host_keys_entry *e, size_t n);

/* Names of the functions that have keys, malloc'd array of malloc'd
 * strings in file order; free each and the array. */
void host_keys_function_names(struct host_keys *k, char ***names, size_t *n);

/* One key's value, malloc'd in *value. 0 or HOST_KEYS_E_NOTFOUND. */
int host_keys_get(struct host_keys *k, enum host_keys_scope scope, const char *function,
		  const char *name, char **value);

/*
 * Sets key `name` to `value`, or to a newly generated value if `value` is
 * NULL (the admin API's PUT and POST). *created (if not NULL) = 1 if the key
 * did not exist, 0 if it was replaced; *value_out (if not NULL) gets the new
 * value, malloc'd. Persisted before it returns. 0, HOST_KEYS_E_INVALID or
 * -1, with *err (caller frees) for the errors.
 */
int host_keys_set(struct host_keys *k, enum host_keys_scope scope, const char *function,
		  const char *name, const char *value, int *created, char **value_out,
		  char **err);

/* Deletes a key. 0, HOST_KEYS_E_NOTFOUND, HOST_KEYS_E_MASTER,
 * HOST_KEYS_E_INVALID or -1 with *err. Deleting a function's last key
 * removes the function's entry. */
int host_keys_delete(struct host_keys *k, enum host_keys_scope scope, const char *function,
		     const char *name, char **err);

/* Gives `function` a `default` key if it has none (the real host creates
 * function secrets on first access). *created = 1 if it did. 0 or -1. */
/* Tests and fuzz targets only: the host does not call it. */
int host_keys_ensure_function(struct host_keys *k, const char *function, int *created,
			      char **err);

/* A new key value: HOST_KEYS_VALUE_LEN characters and a NUL. */
void host_keys_generate(char out[HOST_KEYS_VALUE_LEN + 1]);

/* Whether a name / a hand-set value is acceptable (see the top). */
int host_keys_name_valid(const char *name);
int host_keys_value_valid(const char *value);

/*
 * ---- Encrypted local.settings.json (ours; NOT interchangeable with func's
 * Data-Protection format) ----
 *
 * The settings key: 32 random bytes, kept outside the app folder in
 * $CFUNC_SECRETS_DIR, else $XDG_CONFIG_HOME/cfunc (if absolute), else
 * $HOME/.config/cfunc, file `settings.key` (mode 0600, folder created 0700),
 * holding the key as standard base64 and a newline. A key file that group or
 * others may read or write is refused.
 *
 * An encrypted value is "cfunc:v1:" + standard base64 (padded) of
 * nonce (24 random bytes) || crypto_secretbox_easy(value) (XSalsa20-
 * Poly1305, 16-byte tag). Every Value and every connection string
 * (ConnectionString of the object form) is sealed separately; empty strings
 * stay empty, names and ProviderName stay plain. A value without the prefix
 * (e.g. func's base64 Data-Protection blob) is refused with a message
 * saying so.
 */
#define HOST_KEYS_SEAL_PREFIX "cfunc:v1:"
#define HOST_KEYS_SETTINGS_KEY_BYTES 32

/* The settings key file's path (malloc'd), or NULL with *err when no
 * folder can be determined. */
char *host_keys_settings_key_path(char **err);

/*
 * Reads the settings key into key[]. If the file does not exist and
 * `create` is set, makes a new one (never replaces an existing file, even
 * when another process wins the race). *path (if not NULL) receives the
 * file's path, malloc'd, also on failure. 0 or -1 with *err.
 */
int host_keys_settings_key(unsigned char key[HOST_KEYS_SETTINGS_KEY_BYTES], int create,
			   char **path, char **err);

/* Seals a NUL-terminated value (see above); malloc'd. */
char *host_keys_seal(const unsigned char key[HOST_KEYS_SETTINGS_KEY_BYTES], const char *plain);

/* Opens a sealed value into *plain (malloc'd, NUL-terminated). 0, or -1 if
 * the value is not in our format or does not open with this key (*why gets
 * a static reason). */
int host_keys_unseal(const unsigned char key[HOST_KEYS_SETTINGS_KEY_BYTES], const char *sealed,
		     char **plain, const char **why);

/*
 * Decrypts every sealed value of a parsed local.settings.json in place
 * (Values and ConnectionStrings; non-strings are left for the reader to
 * report). Loads the key only if some value needs it. `path` names the file
 * in errors. 0, or -1 with *err:
 *   "Failed to decrypt settings. Encrypted settings only be edited through
 *    'cfunc settings add'. <why>"
 * (the message names settings and files, never values).
 */
int host_keys_settings_decrypt(json_t *root, const char *path, char **err);

/* Seals every non-empty string value of Values and ConnectionStrings in
 * place with `key`. */
void host_keys_settings_encrypt(json_t *root, const unsigned char key[HOST_KEYS_SETTINGS_KEY_BYTES]);

/* Number of non-empty string values a settings file has to seal/unseal. */
size_t host_keys_settings_count(json_t *root);

/* ---- CLI (cli_keys.c, cli_settings.c): `cfunc keys ...`, `cfunc settings
 * ...`; argv starts after the family word. Return the exit code. ---- */
int host_cli_keys(int argc, char **argv);
int host_cli_settings(int argc, char **argv);
/* A line from standard input without its line end, malloc'd; on a terminal
 * `prompt` goes to stderr and the typing is not echoed. NULL at EOF. */
char *host_cli_read_secret(const char *prompt);

#endif
