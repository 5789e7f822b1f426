/*
 * hex.c - unit tests for common/hex.h: all 22 digits in both cases, and
 * every other byte value (signed chars included) refused.
 */
#include "common/hex.h"
#include "tap.h"

#include <string.h>

int main(void)
{
	const char *digits = "0123456789abcdef", *upper = "ABCDEF";
	int right = 1, others = 0;
	for (int i = 0; i < 16; i++)
		right &= rt_hex_value(digits[i]) == i;
	for (int i = 0; i < 6; i++)
		right &= rt_hex_value(upper[i]) == 10 + i;
	ok(right, "0-9, a-f and A-F have their values");
	for (int c = -128; c < 256; c++)
		if (c <= 0 || !strchr("0123456789abcdefABCDEF", c))
			others += rt_hex_value(c) != -1;
	is_int(others, 0, "every other value, negative chars and NUL included, is -1");
	is_int(rt_hex_value('g'), -1, "'g' is no digit");
	is_int(rt_hex_value((char)0xe9), -1, "a signed high byte is no digit");
	return done_testing();
}
