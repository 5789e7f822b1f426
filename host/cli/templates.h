/*
 * templates.h - the `cfunc new` templates, compiled into the binary from
 * templates/ by scripts/gen-embed.sh --group (the generated table lives in
 * build/gen/templates.c): an entry's group is its template's name, "common"
 * for files every app gets, and its path is relative to the new app folder.
 */
#ifndef HOST_TEMPLATES_H
#define HOST_TEMPLATES_H

#include "host/embed.h"

extern const struct host_embedded_file host_template_files[];
extern const unsigned host_template_files_n;

#endif
