/*
 * apps_missing.h - the console line for a host.json "cfunc.apps" location
 * that does not exist, naming it as listed and where it was looked for.
 */
#ifndef HOST_APPS_MISSING_H
#define HOST_APPS_MISSING_H

#include "host/apps.h"
#include "host/config/config.h"

/*
 * `full` is the location joined to the script root `root`. The line says
 * "did you mean" when a neighbour of the missing name is an obvious typo
 * of it. Returns a malloc'd line the caller frees.
 */
char *host_apps_missing_line(const char *root, const char *full, int err);

/*
 * Reports, one line each through `report`, every location host.json lists
 * in "cfunc.apps" that does not exist (the default "apps" folder is not
 * listed: its absence is the "No job functions found" warning's business).
 * Returns how many were missing.
 */
int host_apps_report_missing(const struct host_config *cfg, host_apps_report_fn report);

#endif
