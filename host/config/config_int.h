/*
 * config_int.h - what config.c (host.json sections, loading),
 * config_env.c (AzureFunctionsJobHost__* overrides) and config_values.c
 * (typed readers, shared parsers) share. Not for use outside host/config*.c.
 */
#ifndef HOST_CONFIG_INT_H
#define HOST_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "host/config/config.h"

/* config.c: frees n strings and the array. */
void host_config_free_strv(char **v, size_t n);
void host_config_free_pairs(struct host_config_pair *p, size_t n);

/* config_env.c: merges the AzureFunctionsJobHost__* variables into the tree. */
void host_config_merge_env(struct host_config *cfg, json_t *root);

/* config_keys.c: reports keys no known section has (warnings in cfg, or -1
 * with *err for cfunc's own section, which must be exact). */
int host_config_check_keys(struct host_config *cfg, json_t *root, char **err);

/*
 * config_values.c: typed readers over the merged tree. Paths are dotted
 * keys, matched case-insensitively; JSON null counts as absent (then the
 * default applies). Each returns 0, or -1 with a malloc'd one-line *err.
 */
int host_config_is_container(const json_t *v);
json_t *host_config_lookup(json_t *root, const char *path);
char *host_config_value_text(const json_t *v);
char *host_config_scalar_text(const json_t *v);
char *host_config_bad_value(const char *path, const json_t *v, const char *expected);
int host_config_get_int(json_t *root, const char *path, int64_t def, int64_t min, int64_t max,
			int64_t *out, char **err);
int host_config_get_limit(json_t *root, const char *path, int *out, char **err);
int host_config_get_bool(json_t *root, const char *path, bool def, bool *out, char **err);
int host_config_get_string(json_t *root, const char *path, const char *def, char **out,
			   char **err);
int host_config_get_strv(json_t *root, const char *path, char ***out, size_t *n, char **err);

#endif
