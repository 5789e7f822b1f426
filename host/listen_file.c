/*
 * listen_file.c - the "<hub file>.host" file of listen_file.h.
 */
#include "host/listen_file.h"
#include "common/file_atomic.h"
#include "common/xalloc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *host_listen_file_path(const char *hub_path)
{
	return xasprintf("%s.host", hub_path);
}

int host_listen_file_write(const char *hub_path, const struct host_listen *l)
{
	char *path = host_listen_file_path(hub_path), *err = NULL;
	json_t *o = json_pack("{s:I,s:s,s:i,s:b}", "pid", (json_int_t)l->pid, "address",
			      l->address, "port", l->port, "auth", l->auth);
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	/* 0600: the file tells where a host with the master key listens. */
	int rc = text ? rt_file_replace(path, text, strlen(text), 0600, &err) : -1;
	free(err);
	free(text);
	json_decref(o);
	free(path);
	return rc;
}

int host_listen_file_read(const char *hub_path, struct host_listen *l)
{
	char *path = host_listen_file_path(hub_path);
	json_error_t jerr;
	json_t *o = json_load_file(path, 0, &jerr);
	json_int_t pid = 0;
	const char *address = NULL;
	int port = 0, auth = 0, rc = -1;

	free(path);
	memset(l, 0, sizeof(*l));
	if (o && json_unpack(o, "{s:I,s:s,s:i,s?b}", "pid", &pid, "address", &address, "port",
			     &port, "auth", &auth) == 0 &&
	    pid > 0 && port > 0 && port < 65536 && strlen(address) < sizeof(l->address)) {
		l->pid = (long)pid;
		strcpy(l->address, address);
		l->port = port;
		l->auth = auth;
		rc = 0;
	}
	json_decref(o);
	return rc;
}

void host_listen_file_remove(const char *hub_path)
{
	struct host_listen l;
	char *path;
	/* A second host refused on the same hub must not remove the first
	 * one's file. */
	if (host_listen_file_read(hub_path, &l) != 0 || l.pid != (long)getpid())
		return;
	path = host_listen_file_path(hub_path);
	unlink(path);
	free(path);
}
