/*
 * list_sorted.h - the instances listing in a chosen order, for the
 * dashboard: GET /admin/durable/instances (README "Admin and health
 * endpoints"). Read-only; its entries, page size and continuation header
 * are those of GET /runtime/webhooks/durabletask/instances, so a client of
 * one reads the other.
 *
 * Query: sort = id (default) | created | updated | name | status;
 * order = asc (default) | desc; name = a name prefix, ASCII letters in any
 * case (orchestrator names are case-insensitive, as the management API
 * matches them); runtimeStatus (comma-separated and/or repeated),
 * instanceIdPrefix (byte-wise, case-sensitive, as GET instances),
 * createdTimeFrom / createdTimeTo (ISO 8601, inclusive), top (1..1000,
 * default 100), showInput, and the token of the previous page as
 * continuationToken or in the x-ms-continuation-token header.
 *
 * Unlike GET instances, which follows the .NET extension and ignores what
 * it cannot parse, every bad value is a 400 naming it: an unknown status,
 * sort or order, a date that is not one, a top out of range, a token this
 * process did not issue or one from another sort or order. Ties on the sort
 * value come in creation order; tokens hold the last row's sort value and
 * its internal key (opaque, authenticated as GET instances' are), so paging
 * never repeats or skips a row that stays put. Entities are left out.
 */
#ifndef BIND_LIST_SORTED_H
#define BIND_LIST_SORTED_H

#include "bindings/durable_client.h"
#include "bindings/http_trigger.h"

/* Answers h (a GET) from d's reader handles; d NULL: no task hub (404). */
void bind_webhooks_list_sorted(struct bind_durable *d, struct bind_http *h);

#endif
