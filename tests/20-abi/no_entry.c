/* A shared object without cf_app_entry. */
int no_entry_here(void);
__attribute__((visibility("default"))) int no_entry_here(void) { return 42; }
