/*
 * tests/00-unit/host/keys.c - the key store (generation, classification,
 * changes, persistence, concurrency) and the settings cipher. Everything
 * lives under a mkdtemp() folder; CFUNC_SECRETS_DIR points into it.
 */
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "host/keys/keys.h"
#include "tap.h"
#include "common/file_atomic.h"
#include "common/xalloc.h"

static char tmpdir[] = "/tmp/cfunc-keys-XXXXXX";
static char *root; /* an app root inside tmpdir */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = xcalloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(path);
		exit(2);
	}
}

static unsigned mode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (unsigned)(st.st_mode & 0777) : 01000;
}

/* Files in dir whose name starts with a dot, other than . and .. */
static int hidden_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		if (e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	if (d)
		closedir(d);
	return n;
}

static char *new_root(const char *name)
{
	char *r = xasprintf("%s/%s", tmpdir, name);

	mkdir(r, 0755);
	return r;
}

static enum host_keys_level cls(struct host_keys *k, const char *key, const char *fn,
				char *name)
{
	return host_keys_classify(k, key, key ? strlen(key) : 0, fn, name);
}

static void test_generate(void)
{
	enum { N = 300 };
	static char v[N][HOST_KEYS_VALUE_LEN + 1];
	int good = 1, unique = 1;

	for (int i = 0; i < N; i++) {
		host_keys_generate(v[i]);
		if (strlen(v[i]) != 56 || strcmp(v[i] + 54, "==") != 0 ||
		    strspn(v[i], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") !=
			    54)
			good = 0;
	}
	for (int i = 0; i < N; i++)
		for (int j = i + 1; j < N; j++)
			if (strcmp(v[i], v[j]) == 0)
				unique = 0;
	ok(good, "56 characters, URL-safe alphabet, == padding (%d keys)", N);
	ok(unique, "all %d keys differ", N);
	ok(host_keys_value_valid(v[0]), "a generated value is a valid value");
	ok(!host_keys_value_valid("short"), "short value refused");
	ok(!host_keys_value_valid("has a space in it but is long enough ........"),
	   "value with spaces refused");
	ok(host_keys_name_valid("durabletask_extension") && host_keys_name_valid("a.b-c"),
	   "names with _ . -");
	ok(!host_keys_name_valid("") && !host_keys_name_valid("a/b") && !host_keys_name_valid("a b"),
	   "bad names refused");
}

static void test_create(void)
{
	struct host_keys *k = NULL;
	char *err = NULL, *path, *text, *dir;
	struct host_keys_entry *e;
	size_t n;

	ok(host_keys_load(&k, root, &err) == 0, "load creates the store");
	path = xasprintf("%s/.cfunc/secrets.json", root);
	dir = xasprintf("%s/.cfunc", root);
	is_str(host_keys_path(k), path, "path is <root>/.cfunc/secrets.json");
	is_int(mode_of(path), 0600, "secrets.json is 0600");
	is_int(mode_of(dir), 0700, ".cfunc created 0700");
	text = slurp(path);
	ok(text && strstr(text, "\"masterKey\"") && strstr(text, "\"functionKeys\"") &&
		   strstr(text, "\"systemKeys\"") && strstr(text, "\"durabletask_extension\""),
	   "file has masterKey, functionKeys, systemKeys");
	host_keys_list(k, HOST_KEYS_SCOPE_HOST, NULL, &e, &n);
	ok(n == 1 && strcmp(e[0].name, "default") == 0 && strlen(e[0].value) == 56,
	   "one host key, 'default'");
	host_keys_entries_free(e, n);
	host_keys_list(k, HOST_KEYS_SCOPE_SYSTEM, NULL, &e, &n);
	ok(n == 1 && strcmp(e[0].name, HOST_KEYS_DURABLE) == 0, "one system key, the durable one");
	host_keys_entries_free(e, n);
	host_keys_list(k, HOST_KEYS_SCOPE_FUNCTION, "hello", &e, &n);
	is_int(n, 0, "no function keys yet");
	host_keys_entries_free(e, n);
	free(text);
	free(path);
	free(dir);
	host_keys_free(k);
}

static void test_classify(void)
{
	struct host_keys *k = NULL;
	char *err = NULL, *master, *durable, *host = NULL, *fkey = NULL, *other = NULL;
	char name[HOST_KEYS_NAME_MAX + 1], buf[600], wrong[HOST_KEYS_VALUE_LEN + 1];
	int created = -1;

	host_keys_load(&k, root, &err);
	master = host_keys_system_dup(k, HOST_KEYS_MASTER);
	durable = host_keys_system_dup(k, HOST_KEYS_DURABLE);
	host_keys_get(k, HOST_KEYS_SCOPE_HOST, NULL, "default", &host);
	ok(host_keys_ensure_function(k, "hello", &created, &err) == 0 && created == 1,
	   "ensure_function creates hello's default key");
	ok(host_keys_ensure_function(k, "hello", &created, &err) == 0 && created == 0,
	   "and only once");
	host_keys_get(k, HOST_KEYS_SCOPE_FUNCTION, "hello", "default", &fkey);
	host_keys_ensure_function(k, "other", NULL, &err);
	host_keys_get(k, HOST_KEYS_SCOPE_FUNCTION, "other", "default", &other);
	ok(master && durable && host && fkey && other, "all keys readable");

	is_int(cls(k, master, "hello", name), HOST_KEYS_LEVEL_ADMIN, "master -> ADMIN");
	is_str(name, "master", "named master");
	is_int(cls(k, master, NULL, NULL), HOST_KEYS_LEVEL_ADMIN, "master without function");
	is_int(cls(k, durable, "hello", name), HOST_KEYS_LEVEL_SYSTEM, "system key -> SYSTEM");
	is_str(name, HOST_KEYS_DURABLE, "reports which system key");
	is_int(cls(k, host, "hello", name), HOST_KEYS_LEVEL_FUNCTION, "host key -> FUNCTION");
	is_str(name, "default", "host key name");
	is_int(cls(k, host, NULL, NULL), HOST_KEYS_LEVEL_FUNCTION, "host key, no function");
	is_int(cls(k, fkey, "hello", NULL), HOST_KEYS_LEVEL_FUNCTION, "own function key");
	is_int(cls(k, fkey, "HELLO", NULL), HOST_KEYS_LEVEL_FUNCTION,
	       "function names match case-insensitively");
	is_int(cls(k, fkey, "other", name), HOST_KEYS_LEVEL_NONE, "another function's key -> NONE");
	is_str(name, "", "no name for NONE");
	is_int(cls(k, other, "hello", NULL), HOST_KEYS_LEVEL_NONE, "and the other way round");
	is_int(cls(k, fkey, NULL, NULL), HOST_KEYS_LEVEL_NONE, "function key with no function");
	is_int(cls(k, fkey, "missing", NULL), HOST_KEYS_LEVEL_NONE, "function without keys");

	host_keys_generate(wrong);
	is_int(cls(k, wrong, "hello", NULL), HOST_KEYS_LEVEL_NONE, "wrong key of the same length");
	is_int(cls(k, "", "hello", NULL), HOST_KEYS_LEVEL_NONE, "empty key");
	is_int(cls(k, NULL, "hello", NULL), HOST_KEYS_LEVEL_NONE, "no key");
	is_int(host_keys_classify(k, master, strlen(master) - 1, "hello", NULL),
	       HOST_KEYS_LEVEL_NONE, "master minus its last character");
	snprintf(buf, sizeof(buf), "%sX", master);
	is_int(cls(k, buf, "hello", NULL), HOST_KEYS_LEVEL_NONE, "master plus a character");
	is_int(host_keys_classify(k, buf, strlen(master), "hello", NULL), HOST_KEYS_LEVEL_ADMIN,
	       "len decides, not the NUL");
	memset(buf, 'a', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	is_int(cls(k, buf, "hello", NULL), HOST_KEYS_LEVEL_NONE, "over-long key");
	buf[0] = master[0] ^ 1;
	memcpy(buf + 1, master + 1, strlen(master));
	is_int(cls(k, buf, "hello", NULL), HOST_KEYS_LEVEL_NONE, "master with the first byte changed");

	free(master);
	free(durable);
	free(host);
	free(fkey);
	free(other);
	host_keys_free(k);
}

static void test_changes(void)
{
	struct host_keys *k = NULL;
	char *err = NULL, *v = NULL, *v2 = NULL, *old_master = NULL, *new_master = NULL;
	const char *hand = "hand-made-value-0123456789-abcdefghij";
	int created = -1;
	uint64_t gen;

	host_keys_load(&k, root, &err);
	gen = host_keys_generation(k);
	ok(host_keys_set(k, HOST_KEYS_SCOPE_HOST, NULL, "ci", NULL, &created, &v, &err) == 0 &&
		   created == 1 && v && strlen(v) == 56,
	   "POST-like set generates a new key");
	ok(host_keys_generation(k) > gen, "generation bumped");
	ok(host_keys_set(k, HOST_KEYS_SCOPE_HOST, NULL, "CI", NULL, &created, &v2, &err) == 0 &&
		   created == 0 && strcmp(v, v2) != 0,
	   "setting it again replaces (names case-insensitive)");
	is_int(cls(k, v, NULL, NULL), HOST_KEYS_LEVEL_NONE, "old value no longer opens");
	is_int(cls(k, v2, NULL, NULL), HOST_KEYS_LEVEL_FUNCTION, "new value opens");
	free(v);
	free(v2);
	v = v2 = NULL;

	ok(host_keys_set(k, HOST_KEYS_SCOPE_SYSTEM, NULL, "myext_extension", hand, &created, NULL,
			 &err) == 0 && created == 1,
	   "PUT-like set with a value");
	is_int(cls(k, hand, NULL, NULL), HOST_KEYS_LEVEL_SYSTEM, "hand value opens SYSTEM");
	is_int(host_keys_set(k, HOST_KEYS_SCOPE_HOST, NULL, "x", "short", NULL, NULL, &err),
	       HOST_KEYS_E_INVALID, "short value refused");
	free(err);
	is_int(host_keys_set(k, HOST_KEYS_SCOPE_HOST, NULL, "a/b", NULL, NULL, NULL, &err),
	       HOST_KEYS_E_INVALID, "bad name refused");
	free(err);
	is_int(host_keys_set(k, HOST_KEYS_SCOPE_HOST, NULL, HOST_KEYS_MASTER, NULL, NULL, NULL,
			     &err),
	       HOST_KEYS_E_INVALID, "_master is not a host key name");
	free(err);
	is_int(host_keys_delete(k, HOST_KEYS_SCOPE_HOST, NULL, "nope", &err), HOST_KEYS_E_NOTFOUND,
	       "delete of a missing key");
	is_int(host_keys_delete(k, HOST_KEYS_SCOPE_SYSTEM, NULL, "_MASTER", &err),
	       HOST_KEYS_E_MASTER, "master cannot be deleted");
	is_int(host_keys_delete(k, HOST_KEYS_SCOPE_FUNCTION, "ghost", "default", &err),
	       HOST_KEYS_E_NOTFOUND, "delete in a function without keys");
	ok(host_keys_delete(k, HOST_KEYS_SCOPE_SYSTEM, NULL, "myext_extension", &err) == 0,
	   "delete a system key");
	is_int(cls(k, hand, NULL, NULL), HOST_KEYS_LEVEL_NONE, "deleted key no longer opens");
	is_int(host_keys_get(k, HOST_KEYS_SCOPE_SYSTEM, NULL, "myext_extension", &v),
	       HOST_KEYS_E_NOTFOUND, "get after delete");

	old_master = host_keys_system_dup(k, HOST_KEYS_MASTER);
	ok(host_keys_set(k, HOST_KEYS_SCOPE_SYSTEM, NULL, HOST_KEYS_MASTER, NULL, &created, NULL,
			 &err) == 0 && created == 0,
	   "master regenerated through _master");
	new_master = host_keys_system_dup(k, HOST_KEYS_MASTER);
	is_int(cls(k, old_master, NULL, NULL), HOST_KEYS_LEVEL_NONE, "old master refused");
	is_int(cls(k, new_master, NULL, NULL), HOST_KEYS_LEVEL_ADMIN, "new master admits");
	free(old_master);
	free(new_master);

	ok(host_keys_set(k, HOST_KEYS_SCOPE_FUNCTION, "fn1", "k1", NULL, NULL, NULL, &err) == 0,
	   "function key via set");
	ok(host_keys_delete(k, HOST_KEYS_SCOPE_FUNCTION, "fn1", "k1", &err) == 0,
	   "and deleted");
	{
		char **names;
		size_t n, found = 0;
		host_keys_function_names(k, &names, &n);
		for (size_t i = 0; i < n; i++) {
			found += strcmp(names[i], "fn1") == 0;
			free(names[i]);
		}
		free(names);
		is_int(found, 0, "a function without keys disappears");
	}
	host_keys_free(k);
}

static void test_reload(void)
{
	struct host_keys *a = NULL, *b = NULL;
	char *err = NULL, *va = NULL, *vb = NULL, *master = NULL;

	host_keys_load(&a, root, &err);
	host_keys_load(&b, root, &err);
	master = host_keys_system_dup(a, HOST_KEYS_MASTER);
	is_int(cls(b, master, NULL, NULL), HOST_KEYS_LEVEL_ADMIN, "a second load reads the same keys");
	is_int(host_keys_refresh(a, &err), 0, "refresh without a change: 0");
	host_keys_set(b, HOST_KEYS_SCOPE_HOST, NULL, "from_b", NULL, NULL, &vb, &err);
	is_int(cls(a, vb, NULL, NULL), HOST_KEYS_LEVEL_NONE, "a does not see b's change yet");
	is_int(host_keys_refresh(a, &err), 1, "refresh sees the file changed");
	is_int(cls(a, vb, NULL, NULL), HOST_KEYS_LEVEL_FUNCTION, "now it does");
	/* b changes again, then a changes without refreshing: both survive. */
	free(vb);
	vb = NULL;
	host_keys_set(b, HOST_KEYS_SCOPE_HOST, NULL, "from_b2", NULL, NULL, &vb, &err);
	host_keys_set(a, HOST_KEYS_SCOPE_HOST, NULL, "from_a", NULL, NULL, &va, &err);
	is_int(cls(a, vb, NULL, NULL), HOST_KEYS_LEVEL_FUNCTION, "a change re-reads the file first");
	host_keys_refresh(b, &err);
	is_int(cls(b, va, NULL, NULL), HOST_KEYS_LEVEL_FUNCTION, "and b sees a's key");
	host_keys_free(a);
	host_keys_free(b);
	a = NULL;
	ok(host_keys_load(&a, root, &err) == 0 && cls(a, va, NULL, NULL) == HOST_KEYS_LEVEL_FUNCTION &&
		   cls(a, master, NULL, NULL) == HOST_KEYS_LEVEL_ADMIN,
	   "everything persisted across a fresh load");
	host_keys_free(a);
	free(va);
	free(vb);
	free(master);
}

static void test_atomic(void)
{
	struct host_keys *k = NULL;
	char *err = NULL, *before, *after, *path = xasprintf("%s/.cfunc/secrets.json", root);
	char *dir = xasprintf("%s/.cfunc", root);
	struct rlimit old, small;
	struct host_keys_entry *e;
	size_t n;
	int rc;

	host_keys_load(&k, root, &err);
	before = slurp(path);
	/* Make every write beyond 64 bytes fail (EFBIG), as a full disk would. */
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	small = old;
	small.rlim_cur = 64;
	setrlimit(RLIMIT_FSIZE, &small);
	rc = host_keys_set(k, HOST_KEYS_SCOPE_HOST, NULL, "doomed", NULL, NULL, NULL, &err);
	setrlimit(RLIMIT_FSIZE, &old);
	is_int(rc, -1, "a failing write fails the change");
	ok(err && strstr(err, "secrets.json"), "with an error naming the file");
	free(err);
	err = NULL;
	after = slurp(path);
	ok(before && after && strcmp(before, after) == 0, "the old file is intact");
	is_int(hidden_files(dir), 0, "no temporary file left behind");
	host_keys_list(k, HOST_KEYS_SCOPE_HOST, NULL, &e, &n);
	rc = 0;
	for (size_t i = 0; i < n; i++)
		rc |= strcmp(e[i].name, "doomed") == 0;
	host_keys_entries_free(e, n);
	ok(!rc, "the in-memory keys are unchanged too");
	is_int(rt_file_write_atomic(path, "x", 1, 0600, &err), 0, "write_file works again");
	spit(path, before);
	free(before);
	free(after);
	free(path);
	free(dir);
	host_keys_free(k);
}

static void test_bad_files(void)
{
	char *r = new_root("bad"), *dir = xasprintf("%s/.cfunc", r);
	char *path = xasprintf("%s/secrets.json", dir), *err = NULL, *text;
	struct host_keys *k = NULL;
	const char *broken = "{ \"masterKey\": { \"name\": \"master\", \"value\": 5 } }\n";

	mkdir(dir, 0700);
	spit(path, broken);
	ok(host_keys_load(&k, r, &err) < 0 && err && strstr(err, path), "malformed file refused");
	free(err);
	err = NULL;
	text = slurp(path);
	is_str(text, broken, "and not overwritten");
	free(text);
	spit(path, "{ \"masterKey\": { \"name\": \"master\", \"value\": "
		   "\"0123456789012345678901234567890123456789\", \"encrypted\": true } }");
	ok(host_keys_load(&k, r, &err) < 0 && err && strstr(err, "encrypted"),
	   "encrypted keys refused");
	free(err);
	err = NULL;
	spit(path, "{ \"masterKey\": { \"name\": \"master\", \"value\": "
		   "\"0123456789012345678901234567890123456789\" }, \"functionKeys\": [] }");
	chmod(path, 0644);
	ok(host_keys_load(&k, r, &err) == 0, "a minimal file loads");
	is_int(mode_of(path), 0600, "a loosened file is made 0600");
	is_int(cls(k, "0123456789012345678901234567890123456789", NULL, NULL),
	       HOST_KEYS_LEVEL_ADMIN, "its master key works");
	{
		char *d = host_keys_system_dup(k, HOST_KEYS_DURABLE);
		ok(d != NULL, "missing durabletask_extension key generated on load");
		free(d);
	}
	host_keys_free(k);
	free(r);
	free(dir);
	free(path);
}

/* ---- many readers, one writer ---- */

static struct host_keys *shared;
static char *shared_master;
static volatile int stop;
static int reader_bad;

static void *reader(void *arg)
{
	char name[HOST_KEYS_NAME_MAX + 1];

	(void)arg;
	while (!stop) {
		if (cls(shared, shared_master, "hello", name) != HOST_KEYS_LEVEL_ADMIN ||
		    strcmp(name, "master") != 0)
			__atomic_add_fetch(&reader_bad, 1, __ATOMIC_RELAXED);
		char *d = host_keys_system_dup(shared, HOST_KEYS_DURABLE);
		if (!d)
			__atomic_add_fetch(&reader_bad, 1, __ATOMIC_RELAXED);
		free(d);
	}
	return NULL;
}

static void test_threads(void)
{
	pthread_t t[4];
	char *err = NULL;
	int fails = 0;

	host_keys_load(&shared, root, &err);
	shared_master = host_keys_system_dup(shared, HOST_KEYS_MASTER);
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, reader, NULL);
	for (int i = 0; i < 40; i++) {
		if (host_keys_set(shared, HOST_KEYS_SCOPE_SYSTEM, NULL, HOST_KEYS_DURABLE, NULL, NULL,
				  NULL, &err) != 0)
			fails++;
		if (host_keys_set(shared, HOST_KEYS_SCOPE_HOST, NULL, "churn", NULL, NULL, NULL,
				  &err) != 0)
			fails++;
	}
	stop = 1;
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	is_int(fails, 0, "80 changes while 4 threads classify");
	is_int(reader_bad, 0, "readers always saw a consistent store");
	free(shared_master);
	host_keys_free(shared);
}

/* ---- settings cipher ---- */

static void test_seal(void)
{
	unsigned char key[HOST_KEYS_SETTINGS_KEY_BYTES], key2[HOST_KEYS_SETTINGS_KEY_BYTES];
	char *a, *b, *plain = NULL, *t;
	const char *why = NULL;

	randombytes_buf(key, sizeof(key));
	randombytes_buf(key2, sizeof(key2));
	a = host_keys_seal(key, "Server=db;Password=p@ss");
	b = host_keys_seal(key, "Server=db;Password=p@ss");
	ok(strncmp(a, "cfunc:v1:", 9) == 0, "sealed values start with cfunc:v1:");
	ok(strcmp(a, b) != 0, "a fresh nonce every time");
	ok(!strstr(a, "p@ss"), "no plaintext inside");
	ok(host_keys_unseal(key, a, &plain, &why) == 0 && plain &&
		   strcmp(plain, "Server=db;Password=p@ss") == 0,
	   "round trip");
	free(plain);
	ok(host_keys_unseal(key2, a, &plain, &why) < 0 && !plain && strstr(why, "settings key"),
	   "another key fails");
	t = xstrdup(a);
	t[20] = t[20] == 'A' ? 'B' : 'A';
	ok(host_keys_unseal(key, t, &plain, &why) < 0, "a changed value fails");
	free(t);
	ok(host_keys_unseal(key, "cfunc:v1:!!!", &plain, &why) < 0 && strstr(why, "malformed"),
	   "garbage after the prefix is malformed");
	ok(host_keys_unseal(key, "AQAAANCMnd8BFdERjHoAwE/Cl+sBAAAA", &plain, &why) < 0 &&
		   strstr(why, "cfunc's format"),
	   "a func Data-Protection value is recognised");
	free(a);
	free(b);
	a = host_keys_seal(key, "");
	ok(host_keys_unseal(key, a, &plain, &why) == 0 && plain && !*plain, "empty string seals");
	free(plain);
	free(a);
}

static void test_settings_key(void)
{
	unsigned char k1[HOST_KEYS_SETTINGS_KEY_BYTES], k2[HOST_KEYS_SETTINGS_KEY_BYTES];
	char *dir = xasprintf("%s/conf/deep/cfunc", tmpdir), *path = NULL, *err = NULL;
	char *want = xasprintf("%s/settings.key", dir);

	setenv("CFUNC_SECRETS_DIR", dir, 1);
	ok(host_keys_settings_key(k1, 0, &path, &err) < 0 && strstr(err, "does not exist"),
	   "no key and no create: error");
	is_str(path, want, "path from CFUNC_SECRETS_DIR");
	free(path);
	free(err);
	err = NULL;
	ok(host_keys_settings_key(k1, 1, NULL, &err) == 0, "created on demand");
	is_int(mode_of(want), 0600, "key file 0600");
	is_int(mode_of(dir), 0700, "key folder 0700");
	ok(host_keys_settings_key(k2, 1, NULL, &err) == 0 && memcmp(k1, k2, sizeof(k1)) == 0,
	   "an existing key is read, never replaced");
	chmod(want, 0640);
	ok(host_keys_settings_key(k2, 0, NULL, &err) < 0 && strstr(err, "other users"),
	   "a key others can read is refused");
	free(err);
	err = NULL;
	chmod(want, 0600);
	spit(want, "not base64 at all\n");
	ok(host_keys_settings_key(k2, 0, NULL, &err) < 0 && strstr(err, "malformed"),
	   "a malformed key is refused");
	free(err);
	err = NULL;

	unsetenv("CFUNC_SECRETS_DIR");
	setenv("XDG_CONFIG_HOME", "/xdg", 1);
	path = host_keys_settings_key_path(&err);
	is_str(path, "/xdg/cfunc/settings.key", "XDG_CONFIG_HOME next");
	free(path);
	setenv("XDG_CONFIG_HOME", "relative", 1);
	setenv("HOME", "/home/someone", 1);
	path = host_keys_settings_key_path(&err);
	is_str(path, "/home/someone/.config/cfunc/settings.key",
	       "then ~/.config (a relative XDG_CONFIG_HOME is ignored)");
	free(path);
	unsetenv("XDG_CONFIG_HOME");
	free(dir);
	free(want);
}

static void test_settings_json(void)
{
	unsigned char key[HOST_KEYS_SETTINGS_KEY_BYTES];
	char *dir = xasprintf("%s/conf2", tmpdir), *err = NULL, *text;
	json_t *root_j, *orig;
	const char *src =
		"{\"IsEncrypted\": true, \"Values\": {\"A\": \"alpha-secret\", \"E\": \"\", "
		"\"N\": 5}, \"ConnectionStrings\": {\"S\": \"conn-string-secret\", "
		"\"O\": {\"ConnectionString\": \"object-secret\", \"ProviderName\": \"P\"}}, "
		"\"Host\": {\"CORS\": \"*\"}}";

	setenv("CFUNC_SECRETS_DIR", dir, 1);
	host_keys_settings_key(key, 1, NULL, &err);
	orig = json_loads(src, 0, NULL);
	root_j = json_deep_copy(orig);
	is_int(host_keys_settings_count(root_j), 3, "three values to seal (empty and non-string not)");
	host_keys_settings_encrypt(root_j, key);
	text = json_dumps(root_j, JSON_COMPACT);
	ok(!strstr(text, "alpha-secret") && !strstr(text, "conn-string-secret") &&
		   !strstr(text, "object-secret"),
	   "nothing readable after encrypt");
	ok(strstr(text, "\"E\":\"\"") && strstr(text, "\"N\":5") && strstr(text, "\"ProviderName\":\"P\"") &&
		   strstr(text, "\"CORS\":\"*\""),
	   "empty, non-string, provider and Host untouched");
	free(text);
	ok(host_keys_settings_decrypt(root_j, "/x/local.settings.json", &err) == 0 &&
		   json_equal(root_j, orig),
	   "decrypt gives the original back");
	json_decref(root_j);

	root_j = json_deep_copy(orig);
	host_keys_settings_encrypt(root_j, key);
	json_object_set_new(json_object_get(root_j, "Values"), "A",
			    json_string("Zm9yZWlnbiBmdW5jIGJsb2I="));
	ok(host_keys_settings_decrypt(root_j, "/x/local.settings.json", &err) < 0 && err,
	   "a value not in our format fails");
	ok(err && strncmp(err, "Failed to decrypt settings. Encrypted settings only be edited "
			       "through 'cfunc settings add'.", 88) == 0,
	   "with func's message");
	ok(err && strstr(err, "'A'") && strstr(err, "/x/local.settings.json") &&
		   !strstr(err, "Zm9y"),
	   "naming the setting and file, not the value");
	free(err);
	err = NULL;
	json_decref(root_j);

	root_j = json_deep_copy(orig);
	host_keys_settings_encrypt(root_j, key);
	setenv("CFUNC_SECRETS_DIR", "/nonexistent/cfunc-test", 1);
	ok(host_keys_settings_decrypt(root_j, "/x/l.json", &err) < 0 && err &&
		   strstr(err, "'/nonexistent/cfunc-test/settings.key' does not exist"),
	   "missing key: the message names the key file");
	free(err);
	err = NULL;
	json_decref(root_j);
	root_j = json_loads("{\"Values\": {\"E\": \"\"}}", 0, NULL);
	ok(host_keys_settings_decrypt(root_j, "/x/l.json", &err) == 0,
	   "nothing to decrypt needs no key");
	json_decref(root_j);
	json_decref(orig);
	unsetenv("CFUNC_SECRETS_DIR");
	free(dir);
}

static void cleanup(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	free(cmd);
}

int main(void)
{
	if (!mkdtemp(tmpdir) || sodium_init() < 0) {
		perror("mkdtemp");
		return 2;
	}
	root = new_root("app");
	subtest("generation", test_generate);
	subtest("first load creates the store", test_create);
	subtest("classification", test_classify);
	subtest("set, delete, master", test_changes);
	subtest("reload and cross-process changes", test_reload);
	subtest("atomic rewrite", test_atomic);
	subtest("bad files", test_bad_files);
	subtest("threads", test_threads);
	subtest("sealed values", test_seal);
	subtest("settings key", test_settings_key);
	subtest("settings files", test_settings_json);
	free(root);
	cleanup();
	return done_testing();
}
