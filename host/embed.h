/*
 * embed.h - files compiled into the binary at build time by
 * scripts/gen-embed.sh (the `cfunc new` templates, the dashboard). The
 * tables and the bytes they point to are static, read-only data.
 */
#ifndef HOST_EMBED_H
#define HOST_EMBED_H

#include <stddef.h>

struct host_embedded_file {
	const char *group;         /* first folder with --group ("common"), else "" */
	const char *path;          /* relative to the group (or to the folder) */
	const unsigned char *data; /* NUL-terminated, len bytes before it */
	size_t len;
};

#endif
