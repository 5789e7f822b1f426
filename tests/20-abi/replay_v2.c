/*
 * replay_v2 - replay_v1 after a code change: order_flow's second call is
 * "ship" instead of "charge" (tests/50-e2e/replay.sh).
 */
#define SECOND_CALL "ship"
#include "replay_v1.c"
