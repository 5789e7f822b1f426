#ifndef BIND_ORCH_TRIGGER_H
#define BIND_ORCH_TRIGGER_H
/* Filled in when the durable engine lands. */
#define BIND_ORCH_API_ENTRIES
#endif
