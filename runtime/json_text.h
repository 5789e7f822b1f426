/*
 * json_text.h - the runtime's one check of JSON text it stores (inputs,
 * event data): the engine's commands and the offline commands of
 * `cfunc durable` refuse the same texts.
 */
#ifndef RT_JSON_TEXT_H
#define RT_JSON_TEXT_H

/* 1 if `text` is NULL (no value) or one JSON value of any type, else 0. */
int rt_json_text_ok(const char *text);

#endif
