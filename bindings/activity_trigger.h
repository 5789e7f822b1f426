#ifndef BIND_ACTIVITY_TRIGGER_H
#define BIND_ACTIVITY_TRIGGER_H
/* Filled in when the durable engine lands. */
#define BIND_ACT_API_ENTRIES
#endif
