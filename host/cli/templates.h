/*
 * templates.h - the `cfunc new` templates, compiled into the binary from
 * templates/ by scripts/gen-templates.sh (the generated table lives in
 * build/gen/templates.c). Everything here is static, read-only data.
 */
#ifndef HOST_TEMPLATES_H
#define HOST_TEMPLATES_H

#include <stddef.h>

struct host_template_file {
	const char *template_name; /* "common" for files every app gets */
	const char *path;          /* relative to the new app folder */
	const unsigned char *data; /* NUL-terminated, len bytes before it */
	size_t len;
};

extern const struct host_template_file host_template_files[];
extern const unsigned host_template_nfiles;

#endif
