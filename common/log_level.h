/*
 * log_level.h - the one set of log levels: the names and order of host.json
 * logging.logLevel (and of .NET's LogLevel). The host's console, the
 * engine's log hook and the settings all speak it; the app ABI's CF_LOG_*
 * have the same values, checked at compile time in bindings/api.c.
 */
#ifndef COMMON_LOG_LEVEL_H
#define COMMON_LOG_LEVEL_H

enum rt_log_level {
	RT_LOG_TRACE = 0,
	RT_LOG_DEBUG,
	RT_LOG_INFO,
	RT_LOG_WARNING,
	RT_LOG_ERROR,
	RT_LOG_CRITICAL,
	RT_LOG_NONE, /* a category set to None shows nothing */
};

#endif
