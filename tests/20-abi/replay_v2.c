/*
 * replay_v2 - replay_v1 after a code change: order_flow's second call is
 * "ship" instead of "charge", mixed_flow's when_any races "quick" instead
 * of "fast" (tests/50-e2e/replay.sh).
 */
#define SECOND_CALL "ship"
#define RACE_CALL "quick"
#include "replay_v1.c"
