/*
 * listen_file.h - "where the host listens": a small JSON file beside the
 * task hub (<hub file>.host) that `cfunc start` writes once it listens and
 * removes when it stops, so `cfunc durable` can find the running host of a
 * hub. A host that crashed leaves it behind; readers therefore check that
 * the pid is alive and the port answers before they trust it.
 *
 *   {"pid":1234,"address":"127.0.0.1","port":7071,"auth":false}
 */
#ifndef HOST_LISTEN_FILE_H
#define HOST_LISTEN_FILE_H

struct host_listen {
	long pid;
	char address[64]; /* what the host bound ("0.0.0.0" stays as is) */
	int port;
	int auth;         /* key checks on: clients must send the system key */
};

/* "<hub_path>.host", malloc'd. */
char *host_listen_file_path(const char *hub_path);
/* Writes the file atomically (temp file + rename, mode 0600); -1 on failure
 * (a warning for the caller: the host serves without it). */
int host_listen_file_write(const char *hub_path, const struct host_listen *l);
/* Removes it if it still names this process. */
void host_listen_file_remove(const char *hub_path);
/* Reads it: 0, or -1 when absent or unreadable. */
int host_listen_file_read(const char *hub_path, struct host_listen *l);

#endif
