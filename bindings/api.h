/*
 * api.h - the host side of the function table handed to apps.
 */
#ifndef BIND_API_H
#define BIND_API_H

#include "cfunc.h"
#include "bindings/registry.h"

/* The table every app receives; lives for the whole process. */
extern const struct cf_api bind_api;

#endif
