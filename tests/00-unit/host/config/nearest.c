/*
 * Unit tests for host/config/nearest.c: the typo distance and which known
 * name a user's spelling is an obvious slip of (and when it is not).
 */
#include "host/config/nearest.h"

#include "tap.h"

#include <string.h>

static const char *const keys[] = {"apps", "allowedHosts", "stopTimeoutSeconds", "workers",
				   "limits"};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static void distance(void)
{
	is_int((int)host_nearest_distance("apps", "apps", 9), 0, "same name: 0");
	is_int((int)host_nearest_distance("APPS", "apps", 9), 0, "case does not count");
	is_int((int)host_nearest_distance("aps", "apps", 9), 1, "one letter dropped");
	is_int((int)host_nearest_distance("appss", "apps", 9), 1, "one letter added");
	is_int((int)host_nearest_distance("abps", "apps", 9), 1, "one letter changed");
	is_int((int)host_nearest_distance("paps", "apps", 9), 1, "two neighbours swapped: one edit");
	is_int((int)host_nearest_distance("", "apps", 9), 4, "empty to a name: its length");
	is_int((int)host_nearest_distance("apps", "", 9), 4, "a name to empty: its length");
	is_int((int)host_nearest_distance("kitten", "sitting", 9), 3, "the textbook pair");
	is_int((int)host_nearest_distance("a", "abcdefgh", 3), 3, "capped at the cap");
	char longname[300];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	is_int((int)host_nearest_distance(longname, longname, 5), 5,
	       "names too long to compare count as far apart");
}

static void pick(void)
{
	is_str(host_nearest_pick("aps", keys, NKEYS), "apps", "typo of apps");
	is_str(host_nearest_pick("Workrs", keys, NKEYS), "workers", "typo of workers, any case");
	is_str(host_nearest_pick("stopTimeoutSecond", keys, NKEYS), "stopTimeoutSeconds",
	       "missing plural s");
	is_str(host_nearest_pick("limits", keys, NKEYS), "limits", "an exact name is itself");
	ok(host_nearest_pick("colour", keys, NKEYS) == NULL, "nothing close: no guess");
	ok(host_nearest_pick("ab", keys, NKEYS) == NULL,
	   "short names allow one edit only (ab is two from apps)");
	ok(host_nearest_pick("", keys, NKEYS) == NULL, "empty word: no guess");
	ok(host_nearest_pick("aps", keys, 0) == NULL, "no candidates: no guess");
	static const char *const twins[] = {"cats", "bats"};
	ok(host_nearest_pick("rats", twins, 2) == NULL, "two equally close: no guess");
	static const char *const dirs[] = {"samples", "abi", "obj"};
	is_str(host_nearest_pick("sampels", dirs, 3), "samples", "swapped letters in a folder name");
}

int main(void)
{
	subtest("distance", distance);
	subtest("pick", pick);
	return done_testing();
}
