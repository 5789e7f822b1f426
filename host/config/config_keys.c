/*
 * config_keys.c - which host.json keys mean something, so a misspelt one is
 * reported instead of silently doing nothing (spec functions-host.md §2).
 *
 * The real host binds each section to an options class and ignores what no
 * class has a property for; the spec names no warning for that. A key in a
 * section listed here that the section does not know is reported:
 *   - cfunc's own section must be exact: an unknown key there (or a key
 *     that is a typo of "cfunc") stops the start, since it would change
 *     which apps load or how they are limited without a word;
 *   - elsewhere (top level, logging, extensions.http, extensions.durableTask)
 *     it is a warning naming the key path;
 *   - under "extensions", a name that is no extension cfunc has is a
 *     warning too: it is ignored here.
 * Each report says "did you mean" when the key is an obvious typo of a known
 * one (host/config/nearest.h). Free-form values (log categories, custom
 * headers, extension bundles, sections of the platform) are not looked into.
 */
#include "host/config/config.h"
#include "host/config/config_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/xalloc.h"
#include "host/config/nearest.h"

enum unknown_policy {
	UNKNOWN_WARN,      /* a host section: warn, the key is ignored */
	UNKNOWN_ERROR,     /* cfunc's own: refuse to start */
	UNKNOWN_EXTENSION, /* "extensions": an extension cfunc does not have */
};

struct key_section;

struct key_node {
	const char *name;
	const struct key_section *section; /* NULL: a value, or free-form */
};

struct key_section {
	enum unknown_policy unknown;
	const struct key_node *keys; /* ends with {NULL, NULL} */
};

/* SECTION nests a section in place; a named one is an object of its own
 * (SECTION_OF), so other tables can point at it. */
#define SECTION_OF(policy, ...) {(policy), (const struct key_node[]){__VA_ARGS__, {NULL, NULL}}}
#define SECTION(policy, ...) (&(const struct key_section)SECTION_OF(policy, __VA_ARGS__))
#define LEAF(name) {(name), NULL}

static const struct key_section cfunc_section = SECTION_OF(
	UNKNOWN_ERROR, LEAF("apps"), LEAF("allowedHosts"), LEAF("stopTimeoutSeconds"),
	LEAF("workers"), LEAF("episodeWorkers"),
	{"limits", SECTION(UNKNOWN_ERROR, LEAF("maxRequestBodyBytes"), LEAF("maxRequestLineBytes"),
			   LEAF("maxHeaderBytes"), LEAF("maxHeaderCount"), LEAF("maxConnections"),
			   LEAF("maxConnectionsPerClient"), LEAF("maxInFlightBytes"),
			   LEAF("requestTimeoutSeconds"))});

/* DurableTaskOptions and the storage providers' options; ours are type,
 * path, synchronous and maxDequeueCount. */
static const struct key_section durable_section = SECTION_OF(
	UNKNOWN_WARN, LEAF("hubName"), LEAF("maxConcurrentActivityFunctions"),
	LEAF("maxConcurrentOrchestratorFunctions"), LEAF("maxConcurrentEntityFunctions"),
	LEAF("maxOrchestrationActions"), LEAF("storeInputsInOrchestrationHistory"),
	LEAF("overridableExistingInstanceStates"), LEAF("extendedSessionsEnabled"),
	LEAF("extendedSessionIdleTimeoutInSeconds"), LEAF("maxEntityOperationBatchSize"),
	LEAF("entityMessageReorderWindowInMinutes"), LEAF("useGracefulShutdown"),
	LEAF("useAppLease"), LEAF("appLeaseOptions"), LEAF("localRpcEndpointEnabled"),
	LEAF("rollbackEntityOperationsOnExceptions"), LEAF("defaultVersion"),
	LEAF("versionMatchStrategy"), LEAF("versionFailureStrategy"), LEAF("tracing"),
	LEAF("notifications"), LEAF("httpSettings"), LEAF("webhookUriProviderOverride"),
	LEAF("customLifeCycleNotificationHelperType"), LEAF("maxGrpcMessageSizeInBytes"),
	LEAF("grpcHttpClientTimeout"), LEAF("typedProxies"),
	{"storageProvider",
	 SECTION(UNKNOWN_WARN, LEAF("type"), LEAF("path"), LEAF("synchronous"),
		 LEAF("maxDequeueCount"), LEAF("connectionStringName"), LEAF("connectionName"),
		 LEAF("partitionCount"), LEAF("controlQueueBatchSize"),
		 LEAF("controlQueueBufferThreshold"), LEAF("controlQueueVisibilityTimeout"),
		 LEAF("workItemQueueVisibilityTimeout"), LEAF("maxQueuePollingInterval"),
		 LEAF("trackingStoreConnectionStringName"), LEAF("trackingStoreConnectionName"),
		 LEAF("trackingStoreNamePrefix"), LEAF("fetchLargeMessagesAutomatically"),
		 LEAF("throwExceptionOnInvalidDedupeStatus"), LEAF("useLegacyPartitionManagement"),
		 LEAF("useTablePartitionManagement"), LEAF("useSeparateQueueForEntityWorkItems"),
		 LEAF("maxNumberOfWorkItemsInParallel"), LEAF("taskEventLockTimeout"),
		 LEAF("createDatabaseIfNotExists"), LEAF("databaseName"), LEAF("schemaName"))});

static const struct key_section http_section = SECTION_OF(
	UNKNOWN_WARN, LEAF("routePrefix"), LEAF("maxOutstandingRequests"),
	LEAF("maxConcurrentRequests"), LEAF("dynamicThrottlesEnabled"), LEAF("customHeaders"),
	LEAF("hsts"), LEAF("enableChunkedRequestBinding"));

static const struct key_section host_section = SECTION_OF(
	UNKNOWN_WARN, LEAF("version"), LEAF("functionTimeout"), LEAF("functions"),
	LEAF("extensionBundle"), LEAF("watchDirectories"), LEAF("watchFiles"),
	LEAF("healthMonitor"), LEAF("concurrency"), LEAF("retry"), LEAF("singleton"),
	LEAF("aggregator"), LEAF("customHandler"), LEAF("managedDependency"),
	LEAF("telemetryMode"), LEAF("metadataProviderTimeout"),
	LEAF("sendCanceledInvocationsToWorker"), LEAF("languageWorkers"),
	{"logging", SECTION(UNKNOWN_WARN, LEAF("logLevel"), LEAF("fileLoggingMode"),
			    LEAF("applicationInsights"), LEAF("console"))},
	{"extensions", SECTION(UNKNOWN_EXTENSION, {"http", &http_section},
			       {"durableTask", &durable_section})},
	{"cfunc", &cfunc_section});

static const struct key_node *find_key(const struct key_section *s, const char *key)
{
	for (const struct key_node *k = s->keys; k->name; k++)
		if (strcasecmp(k->name, key) == 0)
			return k;
	return NULL;
}

static const struct key_node *typo_of(const struct key_section *s, const char *key)
{
	const char *names[64];
	size_t n = 0;
	const char *pick;

	for (const struct key_node *k = s->keys; k->name && n < 64; k++)
		names[n++] = k->name;
	pick = host_nearest_pick(key, names, n);
	return pick ? find_key(s, pick) : NULL;
}

static char *key_list(const struct key_section *s)
{
	char *out = xstrdup("");
	for (const struct key_node *k = s->keys; k->name; k++) {
		char *next = xasprintf("%s%s%s", out, *out ? ", " : "", k->name);
		free(out);
		out = next;
	}
	return out;
}

/* Reports one unknown key; returns -1 when it stops the start. */
static int unknown_key(struct host_config *cfg, const struct key_section *s, const char *parent,
		       const char *key, char **err)
{
	const struct key_node *near = typo_of(s, key);
	char *path = xasprintf("%s%s%s", parent, *parent ? "." : "", key);
	char *hint = near ? xasprintf(" Did you mean '%s%s%s'?", parent, *parent ? "." : "",
				      near->name)
			  : xstrdup("");
	int rc = 0;

	if (s->unknown != UNKNOWN_ERROR && near && near->section &&
	    near->section->unknown == UNKNOWN_ERROR) {
		*err = xasprintf("Unknown host.json property '%s'.%s", path, hint);
		rc = -1;
	} else if (s->unknown == UNKNOWN_ERROR) {
		char *known = key_list(s);
		*err = xasprintf("Unknown host.json property '%s'.%s (%s%s%s takes: %s)", path,
				 hint, *parent ? "'" : "", *parent ? parent : "the top level",
				 *parent ? "'" : "", known);
		free(known);
		rc = -1;
	} else if (s->unknown == UNKNOWN_EXTENSION) {
		host_config_warn(cfg,
				 "host.json '%s' configures an extension cfunc does not have; "
				 "it is ignored.%s",
				 path, hint);
	} else {
		host_config_warn(cfg, "Unknown host.json property '%s' is ignored.%s", path, hint);
	}
	free(hint);
	free(path);
	return rc;
}

static int check_section(struct host_config *cfg, const struct key_section *s, json_t *obj,
			 const char *parent, char **err)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		const struct key_node *k = find_key(s, key);
		if (!k) {
			if (unknown_key(cfg, s, parent, key, err) < 0)
				return -1;
			continue;
		}
		if (k->section && json_is_object(v)) {
			char *path = xasprintf("%s%s%s", parent, *parent ? "." : "", key);
			int rc = check_section(cfg, k->section, v, path, err);
			free(path);
			if (rc < 0)
				return -1;
		}
	}
	return 0;
}

int host_config_check_keys(struct host_config *cfg, json_t *root, char **err)
{
	return json_is_object(root) ? check_section(cfg, &host_section, root, "", err) : 0;
}
