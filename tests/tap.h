/*
 * tap.h - a tiny TAP producer for cfunc's C tests.
 *
 *   ok(cond, "name %d", i);       one assertion
 *   is_int(got, want, "name");    integer equality, prints both on failure
 *   is_str(got, want, "name");    string equality (NULL-safe)
 *   subtest("name", fn);          groups assertions under a heading
 *   return done_testing();        prints the plan; exit 1 if anything failed
 *
 * tests/run.sh counts the "ok"/"not ok" lines of every test program.
 */
#ifndef CFUNC_TAP_H
#define CFUNC_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_run, tap_failed;

__attribute__((format(printf, 4, 5))) static int tap_ok(int cond, const char *file, int line,
							 const char *fmt, ...)
{
	va_list ap;
	tap_run++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		printf("#   failed at %s:%d\n", file, line);
	fflush(stdout);
	return cond;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, want, ...)                                                              \
	do {                                                                                \
		long long tap_g = (long long)(got), tap_w = (long long)(want);              \
		if (!tap_ok(tap_g == tap_w, __FILE__, __LINE__, __VA_ARGS__))               \
			printf("#   got %lld, want %lld\n", tap_g, tap_w);                  \
	} while (0)

#define is_str(got, want, ...)                                                              \
	do {                                                                                \
		const char *tap_g = (got), *tap_w = (want);                                 \
		int tap_eq = (tap_g == NULL && tap_w == NULL) ||                            \
			     (tap_g && tap_w && strcmp(tap_g, tap_w) == 0);                 \
		if (!tap_ok(tap_eq, __FILE__, __LINE__, __VA_ARGS__))                       \
			printf("#   got  \"%s\"\n#   want \"%s\"\n", tap_g ? tap_g : "(null)", \
			       tap_w ? tap_w : "(null)");                                   \
	} while (0)

static inline void subtest(const char *name, void (*fn)(void))
{
	printf("# %s\n", name);
	fn();
}

static inline int done_testing(void)
{
	printf("1..%d\n", tap_run);
	return tap_failed ? 1 : 0;
}

#endif
