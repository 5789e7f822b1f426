/*
 * cli_durable.h - what the files of `cfunc durable` share. Not a public
 * interface: the command is host_cli_durable() (keys.h's neighbours in
 * main.c call it).
 *
 *   cli_durable.c         dispatch, finding the hub and its host, the commands
 *   cli_durable_args.c    flags, their checks, --help texts
 *   cli_durable_http.c    a small blocking HTTP/1.1 client for the loopback host
 *   cli_durable_remote.c  the operations through /runtime/webhooks/durabletask
 *   cli_durable_offline.c the same operations on the task-hub file
 *   cli_durable_table.c   aligned text tables
 *
 * Both backends answer with the management API's JSON (status objects,
 * arrays of them) and, for get-history --json, history_json.h's array of
 * the stored events, so the printers and --json never know which one ran.
 * Memory: every char * and json_t * in these structs is owned by the struct
 * and released by its _free/_clear function.
 */
#ifndef HOST_CLI_DURABLE_H
#define HOST_CLI_DURABLE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "host/config/config.h"
#include "runtime/store.h"

/* `cfunc durable ...` (argv after "durable"); returns the exit code. */
int host_cli_durable(int argc, char **argv);

/* ---- arguments ---------------------------------------------------------- */

struct dcli_args {
	const char *cmd;
	const char *function_name, *id, *input, *event_name, *event_data, *reason;
	const char *created_after, *created_before, *runtime_status, *continuation_token;
	const char *task_hub, *script_root;
	const char *top_text;
	int show_input, show_output, json, yes;
	/* derived by dcli_args_parse */
	char *input_json;      /* --input / --event-data after @file, validated */
	int64_t from_us, to_us; /* INT64_MIN / INT64_MAX when not given */
	unsigned statuses;     /* RT_STORE_STATUS_BIT()s; 0: any */
	int top;
};

/* Parses argv (after "durable"). Returns 0; 1 when help was printed (exit
 * 0); -1 after printing a one-line error (exit 2). */
int dcli_args_parse(int argc, char **argv, struct dcli_args *a);
void dcli_args_free(struct dcli_args *a);
void dcli_usage(FILE *out);

/* ---- the hub and how to reach it --------------------------------------- */

struct dcli_hub {
	struct host_config cfg;
	char *root;
	const char *name;       /* the hub name in use (cfg.durable.hub_name) */
	const char *path;       /* the hub file (cfg.durable.storage_path) */
	int online;             /* a live host serves this hub */
	long host_pid;
	char connect_to[64];    /* address to connect to */
	char host_header[300];
	int port;
	char *key;              /* durabletask_extension key when the host checks keys */
	struct rt_store *store; /* offline, opened on first use; NULL: no hub file */
	int store_writable;
};

/* One operation's outcome. rc is an runtime/rc.h code; err a one-line message. */
struct dcli_result {
	int rc;
	char *err;
	json_t *json;   /* status object, array, or check-status payload */
	char *token;    /* get-instances: next continuation token, NULL at the end */
	int64_t count;  /* purge: instances deleted */
	char *id;       /* start-new: the instance id */
};
void dcli_result_clear(struct dcli_result *r);

/*
 * Loads the config of the app root (script_root, else found from the
 * current directory) and decides between the host serving its hub
 * (online) and the hub file. task_hub NULL = the host's default hub.
 * Problems are printed on stderr after "<who>: "; returns 0 or -1. Close
 * with dcli_hub_close() either way.
 */
int dcli_hub_open(struct dcli_hub *h, const char *script_root, const char *task_hub,
		  const char *who);
void dcli_hub_close(struct dcli_hub *h);

/* The stored events of instance id's current execution as
 * history_json.h's array (r->json), from the host or the file. */
int dcli_history(struct dcli_hub *h, const char *id, struct dcli_result *r);

enum dcli_lifecycle { DCLI_RAISE, DCLI_TERMINATE, DCLI_SUSPEND, DCLI_RESUME, DCLI_REWIND };

/* ---- HTTP client (cli_durable_http.c) ---------------------------------- */

struct dhttp_resp {
	int status;
	char *body;          /* NUL-terminated */
	size_t len;
	char *continuation;  /* x-ms-continuation-token, NULL when absent */
};
/* Sends one request (Connection: close) and reads the whole answer, within
 * timeout_ms overall. body may be NULL; a body is sent as application/json;
 * headers (may be NULL) are extra "Name: value\r\n" lines. 0, or -1 with *err. */
int dhttp_request(const char *connect_to, int port, const char *host_header, const char *method,
		  const char *target, const char *headers, const char *body, int timeout_ms,
		  struct dhttp_resp *r, char **err);
void dhttp_resp_free(struct dhttp_resp *r);
/* 1 if something accepts TCP connections there within timeout_ms. */
int dhttp_probe(const char *connect_to, int port, int timeout_ms);

/* ---- the two backends --------------------------------------------------- */

int dremote_start(struct dcli_hub *h, const struct dcli_args *a, struct dcli_result *r);
int dremote_status(struct dcli_hub *h, const char *id, int input, int history,
		   struct dcli_result *r);
int dremote_history(struct dcli_hub *h, const char *id, struct dcli_result *r);
int dremote_list(struct dcli_hub *h, const struct dcli_args *a, struct dcli_result *r);
int dremote_lifecycle(struct dcli_hub *h, enum dcli_lifecycle op, const char *id,
		      const char *name, const char *data, struct dcli_result *r);
int dremote_purge(struct dcli_hub *h, const struct dcli_args *a, struct dcli_result *r);

int doffline_start(struct dcli_hub *h, const struct dcli_args *a, struct dcli_result *r);
int doffline_status(struct dcli_hub *h, const char *id, int input, int history,
		    struct dcli_result *r);
int doffline_history(struct dcli_hub *h, const char *id, struct dcli_result *r);
int doffline_list(struct dcli_hub *h, const struct dcli_args *a, struct dcli_result *r);
int doffline_lifecycle(struct dcli_hub *h, enum dcli_lifecycle op, const char *id,
		       const char *name, const char *data, struct dcli_result *r);
int doffline_purge(struct dcli_hub *h, const struct dcli_args *a, struct dcli_result *r);
/* Closes the store and removes the hub file with its -wal/-shm. */
int doffline_delete_hub(struct dcli_hub *h, char **err);
void doffline_close(struct dcli_hub *h);

/* ---- printing (cli_durable_table.c) ------------------------------------ */

/* A table of rows of cells; columns padded to their widest cell. headers
 * NULL: no header line. */
struct dtable {
	size_t ncols, nrows, cap;
	char **cells; /* nrows * ncols, malloc'd */
};
void dtable_init(struct dtable *t, size_t ncols, const char *const *headers);
void dtable_add(struct dtable *t, const char *const *cells);
void dtable_print(const struct dtable *t, FILE *out);
void dtable_free(struct dtable *t);
/* A JSON value as one line for a cell: strings bare, others compact JSON,
 * cut to max bytes with "…" (0: no cut). Malloc'd. */
char *dtable_cell(const json_t *v, size_t max);
/* Key/value lines of one status object (get-runtime-status). */
void dtable_print_status(const json_t *status, int input, int output, FILE *out);
/* INSTANCE ID, NAME, STATUS, CREATED, LAST UPDATED rows of an array. */
void dtable_print_instances(const json_t *arr, FILE *out);
/* TIMESTAMP, EVENT TYPE, NAME, DETAIL rows of historyEvents. */
void dtable_print_history(const json_t *events, FILE *out);

#endif
