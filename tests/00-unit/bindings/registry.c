/* The registry as a deploy changes it: an app's functions replaced in one
 * step (the old ones still readable by whoever holds them), a name another
 * app has refused without changing anything, host.json "functions" applied
 * to the new set, and the list a reader copies. */
#include "bindings/registry.h"
#include "common/xalloc.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static struct bind_function *fn(const char *name, struct bind_app *app)
{
	struct bind_function *f = xcalloc(1, sizeof(*f));
	f->name = xstrdup(name);
	f->kind = BIND_FN_HTTP;
	f->app = app;
	return f;
}

/* The names in the list, comma-separated (static buffer). */
static const char *names(const struct bind_registry *reg)
{
	static char buf[256];
	size_t n;
	struct bind_function **all = bind_registry_list(reg, &n);
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", i ? "," : "",
			 all[i]->name);
	free(all);
	return buf;
}

int main(void)
{
	struct bind_registry reg;
	struct bind_app a = {.name = "a"}, b = {.name = "b"};
	struct bind_function *clash = NULL;
	bind_registry_init(&reg);
	bind_registry_add(&reg, fn("one", &a), NULL);
	bind_registry_add(&reg, fn("two", &a), NULL);
	bind_registry_add(&reg, fn("other", &b), NULL);
	is_str(names(&reg), "one,two,other", "three functions of two apps");

	struct bind_function *old_two = bind_registry_find(&reg, "TWO");
	struct bind_function *next[] = {fn("two", &a), fn("three", &a)};
	ok(bind_registry_replace_app(&reg, &a, next, 2, &clash) == 0, "app a's functions replaced");
	is_str(names(&reg), "other,two,three", "the list has b's and a's new ones");
	ok(bind_registry_find(&reg, "one") == NULL, "a function the new set lacks is gone");
	ok(bind_registry_find(&reg, "two") == next[0], "a kept name is the new function");
	is_str(old_two->name, "two", "the replaced function is still readable by its holder");

	struct bind_function *bad[] = {fn("four", &a), fn("Other", &a)};
	clash = NULL;
	ok(bind_registry_replace_app(&reg, &a, bad, 2, &clash) == -1,
	   "a name another app has is refused");
	ok(clash && clash->app == &b, "naming that app's function");
	is_str(names(&reg), "other,two,three", "and nothing changed");
	bind_function_free(bad[0]);
	bind_function_free(bad[1]);

	bind_registry_cleanup(&reg);
	bind_registry_init(&reg);
	reg.only = xcalloc(2, sizeof(char *));
	reg.only[0] = xstrdup("kept");
	reg.nonly = 1;
	struct bind_function *filtered[] = {fn("kept", &a), fn("dropped", &a)};
	ok(bind_registry_replace_app(&reg, &a, filtered, 2, NULL) == 0, "a new set under a filter");
	is_str(names(&reg), "kept", "host.json \"functions\" keeps only what it names");
	ok(bind_registry_wanted(&reg, "KEPT") && !bind_registry_wanted(&reg, "dropped"),
	   "the filter is case-insensitive");
	bind_registry_cleanup(&reg);
	return done_testing();
}
