/*
 * engine_mail_run.h - the batch's last steps over its in-batch mail
 * (engine_mail_run.c), called by engine.c once per batch, in this order.
 */
#ifndef RT_ENGINE_MAIL_RUN_H
#define RT_ENGINE_MAIL_RUN_H

#include "runtime/engine_int.h"

/* Episodes for instances that got mail during the batch, round after round. */
void engine_mail_run(struct engine_batch *b);
/* Writes unconsumed mail to the inbox (same transaction). */
void engine_mail_flush(struct engine_batch *b);

#endif
