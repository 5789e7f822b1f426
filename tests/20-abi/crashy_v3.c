/*
 * crashy_v3 - crashy.c rebuilt with other functions (one added, one gone,
 * one with other methods, an orchestrator gone): deploying it over
 * crashy.so changes what the host routes, without a restart.
 */
#define CRASHY_VERSION "3"
#define CRASHY_V3 1
#include "crashy.c"
