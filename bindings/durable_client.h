#ifndef BIND_DURABLE_CLIENT_H
#define BIND_DURABLE_CLIENT_H
/* Filled in when the durable engine lands. */
#define BIND_DURABLE_API_ENTRIES
#endif
