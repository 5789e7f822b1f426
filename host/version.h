/*
 * version.h - the host's version, in one place: the banner, `cfunc
 * --version`, GET /admin/host/status and the installed cfunc.pc (the
 * Makefile reads the line below) all print it.
 */
#ifndef HOST_VERSION_H
#define HOST_VERSION_H

#define CFUNC_VERSION "0.1.0"

#endif
