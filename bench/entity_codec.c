/*
 * bench/entity_codec.c - the entity messages' JSON codec (runtime/
 * entity_msg.c): decoding a typical call message, and writing a reply and a
 * lock request, in ns each. Not a test. Built against any tree's runtime
 * archive, so two trees compare in one run:
 *
 *   make -j2 build/libcfunc-runtime.a
 *   gcc -std=c11 -D_GNU_SOURCE -O2 -I. -Iinclude bench/entity_codec.c build/libcfunc-runtime.a \
 *       $(pkg-config --libs libsodium sqlite3 libcrypto) -pthread -lm -o build/bench-entity-codec
 *   build/bench-entity-codec [rounds]      (default 300,000)
 *
 * (A tree whose runtime still links jansson needs -ljansson too.)
 */
#include "common/clock.h"
#include "runtime/entity.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? strtol(argv[1], NULL, 10) : 300000;
	const char *msg = "{\"op\":\"add\",\"signal\":true,\"input\":\"1\","
			  "\"id\":\"5f2c1a8e-8d6b-4c1e-9a53-0f7e6b2d9c41\","
			  "\"parent\":\"a1b2c3d4e5f60718293a4b5c6d7e8f90\","
			  "\"parentExecution\":\"0f7e6b2d9c415f2c1a8e8d6b4c1e9a53\"}";
	const char *lockset[2] = {"@a@1", "@b@2"};
	struct rt_entity_msg m;
	struct rt_arena a;
	long bad = 0;

	if (rounds <= 0)
		return 2;
	rt_arena_init(&a);
	int64_t t0 = rt_mono_us();
	for (long i = 0; i < rounds; i++) {
		bad += rt_entity_msg_parse("op", msg, &m, &a) != 0;
		if ((i & 1023) == 0)
			rt_arena_reset(&a);
	}
	int64_t t1 = rt_mono_us();
	for (long i = 0; i < rounds; i++) {
		rt_entity_reply(&a, 0, "{\"n\":1}");
		rt_entity_msg_lock(&a, "L", "orch", "e", lockset, 2, 1);
		if ((i & 1023) == 0)
			rt_arena_reset(&a);
	}
	int64_t t2 = rt_mono_us();
	rt_arena_cleanup(&a);
	printf("parse a call: %.0f ns; write a reply and a lock request: %.0f ns (%ld rounds%s)\n",
	       (double)(t1 - t0) * 1000.0 / (double)rounds, (double)(t2 - t1) * 1000.0 / (double)rounds,
	       rounds, bad ? ", SOME MESSAGES REFUSED" : "");
	return bad != 0;
}
