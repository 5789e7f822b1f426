/*
 * An app as the ABI 1.x header built it: its entry takes two arguments,
 * never writes a struct cf_app_abi, and reports a major mismatch as
 * -1000 - major. The host must refuse it and say to rebuild, not run it.
 */
#include <stdint.h>

struct old_api {
	uint32_t abi_major, abi_minor, size;
};

__attribute__((visibility("default"))) int cf_app_entry(const struct old_api *api, void *app);
__attribute__((visibility("default"))) int cf_app_entry(const struct old_api *api, void *app)
{
	(void)app;
	if (api->abi_major != 1)
		return -1000 - 1;
	return 0;
}
