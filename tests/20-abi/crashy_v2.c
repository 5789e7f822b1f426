/*
 * crashy_v2 - crashy.c rebuilt with another version string: the same
 * functions, so deploying it over crashy.so needs no restart.
 */
#define CRASHY_VERSION "2"
#include "crashy.c"
