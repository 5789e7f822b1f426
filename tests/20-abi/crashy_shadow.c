/*
 * crashy_shadow - crashy.c with one more function on the route of another
 * app's (testapp's "slow"): a deploy of it is refused, naming both.
 */
#define CRASHY_VERSION "4"
#define CRASHY_SHADOW 1
#include "crashy.c"
