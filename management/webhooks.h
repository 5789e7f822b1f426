/*
 * webhooks.h - the Durable Functions management API under
 * /runtime/webhooks/durabletask (spec: durable-http-api.md §1-§4, §6, §9).
 *
 * One entry point: the host hands over a request whose path starts with
 * the base path, and gets the response filled in. It runs on the worker
 * thread that called it; writes and reads go through the durable client
 * (durable_client.h; acknowledged after commit). A start with a generated
 * id is only queued: the host holds the 202 until the engine committed it
 * (h->resume), freeing the worker. A §3.4 wait (timeout and
 * pollingInterval) holds no worker either where the host parks requests
 * (h->park_ok): it is answered when the instance's terminal state commits,
 * or with the 202 at the timeout.
 *
 * Choices where the spec leaves room (details in webhooks.c):
 *  - No engine (no orchestrator or activity loaded): the API answers like
 *    an empty task hub without orchestrator functions - reads 404 / [],
 *    purges and lifecycle operations 404, restart 400 (unknown id), start
 *    400 "function doesn't exist".
 *  - taskHub: the configured hub (compared case-insensitively, as Azure
 *    Storage names are) or blank is served; any other hub is an empty,
 *    isolated namespace: reads 404 / [], purges 404, lifecycle
 *    operations 404, restart 400 (unknown id), start 400 (this host cannot
 *    create instances in a hub it does not run).
 *  - entities/... and makeprimary: 404 (entities are not implemented yet).
 *  - A malformed percent-escape (or %00) anywhere in the path after the
 *    base: 400, like the host's function routes - even on GET status, which
 *    otherwise never answers 400.
 *  - Error bodies carry a one-frame StackTrace naming the endpoint; there
 *    is no managed stack to show.
 *  - Listing: at most 1000 instances per page (Azure Table's page limit;
 *    "a page may contain fewer than top items"); entity ids (@name@key)
 *    are left out, as the isolated-worker path does; the response header
 *    x-ms-continuation-token is sent on every page, with an EMPTY value on
 *    the last one (§4.3 "empty value when there are no more pages"; a
 *    client reading the header unconditionally keeps working). Tokens are opaque and
 *    authenticated with a per-process key: a token this process never
 *    issued (forged, truncated, or from before a restart) is a 400.
 *    Size limits (query.c): a payload over 64 KiB is not read and
 *    the instance's status URL stands in its place; a page ends once it
 *    holds 4 MiB of payloads.
 *  - A status with 1,000+ history events or 1 MiB of payloads is streamed
 *    (chunked; same bytes as the plain answer) when the host allows it.
 *  - Strings: instance ids (except on GET status, which keeps its 404) and
 *    reasons that are not UTF-8 are a 400; event names longer than
 *    BIND_EVENT_NAME_MAX or not UTF-8 are a 400.
 *  - Purge many: statuses default to the four terminal ones; non-terminal
 *    names in runtimeStatus are dropped, and a list left without any
 *    terminal status purges nothing (404) - never a running instance.
 *  - timeout / pollingInterval: invalid or negative values count as absent;
 *    timeout is capped at 230 s (Azure's front-end request limit). The
 *    interval is checked against the timeout but never slept: the answer
 *    comes as soon as the instance's outcome commits.
 */
#ifndef BIND_WEBHOOKS_H
#define BIND_WEBHOOKS_H

#include "bindings/durable_client.h"
#include "bindings/http_trigger.h"

/* The base path, matched case-insensitively by the host's router. */
#define BIND_WEBHOOKS_BASE "/runtime/webhooks/durabletask"

/* 1 if `path` (raw, no query) is the base path or below it. */
int bind_webhooks_match(const char *path);

/*
 * Serves one management request: routes h->method and h->path (raw), reads
 * h->raw_query, the headers and the body, and fills h's response (status,
 * headers, body in h's arena). `d` is the engine's client, NULL when no
 * engine runs. Blocks the calling worker thread until the engine committed
 * the change, except for what the host holds (h->resume, h->park_ok).
 */
void bind_webhooks_handle(struct bind_durable *d, struct bind_http *h);

#endif
