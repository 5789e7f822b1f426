/*
 * settings_cipher.c - the settings cipher (formats: see keys.h): finding,
 * reading and creating the settings key, sealing and unsealing one value,
 * and encrypting or decrypting every value of a parsed local.settings.json.
 */
#include "host/keys/keys.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "host/config/jsonc.h"
#include "common/file_atomic.h"
#include "common/xalloc.h"

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
	char *dir = rt_file_dir_of(path), *tmp = NULL;
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
	if (fchmod(fd, 0600) < 0 || rt_file_write_all(fd, b64, n) < 0 || fsync(fd) < 0) {
		*err = xasprintf("cannot write the settings key '%s': %s", path, strerror(errno));
		goto out_unlink;
	}
	if (link(tmp, path) < 0 && errno != EEXIST) {
		*err = xasprintf("cannot create the settings key '%s': %s", path, strerror(errno));
		goto out_unlink;
	}
	rt_file_fsync_dir(dir);
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
