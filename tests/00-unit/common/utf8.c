/*
 * utf8.c - unit tests for common/utf8.c: every way a sequence can be
 * invalid (overlong, surrogate, past U+10FFFF, cut short, stray
 * continuation), the boundaries that are valid, and the UTF-16 count that
 * func's character limits use.
 */
#include "common/utf8.h"
#include "tap.h"

#include <stdint.h>
#include <string.h>

#define SEQ(s) rt_utf8_seq((const unsigned char *)(s), sizeof(s) - 1)

static void test_seq(void)
{
	is_int(SEQ("a"), 1, "ASCII is one byte");
	is_int(SEQ("\xc2\x80"), 2, "U+0080, the first two-byte character");
	is_int(SEQ("\xdf\xbf"), 2, "U+07FF, the last two-byte character");
	is_int(SEQ("\xe0\xa0\x80"), 3, "U+0800, the first three-byte character");
	is_int(SEQ("\xed\x9f\xbf"), 3, "U+D7FF, just below the surrogates");
	is_int(SEQ("\xee\x80\x80"), 3, "U+E000, just above them");
	is_int(SEQ("\xf0\x90\x80\x80"), 4, "U+10000, the first four-byte character");
	is_int(SEQ("\xf4\x8f\xbf\xbf"), 4, "U+10FFFF, the last code point");

	is_int(SEQ("\xc0\x80"), 0, "an overlong NUL is refused");
	is_int(SEQ("\xc1\xbf"), 0, "an overlong two-byte form is refused");
	is_int(SEQ("\xe0\x9f\xbf"), 0, "an overlong three-byte form is refused");
	is_int(SEQ("\xf0\x8f\xbf\xbf"), 0, "an overlong four-byte form is refused");
	is_int(SEQ("\xed\xa0\x80"), 0, "a high surrogate is refused");
	is_int(SEQ("\xed\xbf\xbf"), 0, "a low surrogate is refused");
	is_int(SEQ("\xf4\x90\x80\x80"), 0, "U+110000 is refused");
	is_int(SEQ("\xf5\x80\x80\x80"), 0, "a lead byte past 0xF4 is refused");
	is_int(SEQ("\xff"), 0, "0xFF is refused");
	is_int(SEQ("\x80"), 0, "a stray continuation byte is refused");
	is_int(SEQ("\xe2\x82"), 0, "a sequence cut short by the length is refused");
	is_int(rt_utf8_seq((const unsigned char *)"\xe2\x82\xac", 2), 0,
	       "a sequence longer than `left` is refused, though the bytes are there");
	is_int(rt_utf8_seq((const unsigned char *)"\xe2\x82", SIZE_MAX), 0,
	       "in a NUL-terminated string the NUL ends a sequence");
	is_int(SEQ("\xe2\x28\xa1"), 0, "a non-continuation in the middle is refused");
}

static void test_valid(void)
{
	ok(rt_utf8_valid(""), "the empty string is valid");
	ok(rt_utf8_valid("plain ascii"), "ASCII is valid");
	ok(rt_utf8_valid("z\xc3\xbcrich \xe2\x82\xac \xf0\x9f\x98\x80"), "mixed lengths are valid");
	ok(!rt_utf8_valid("abc\xff"), "a bad byte at the end is found");
	ok(!rt_utf8_valid("\xc3"), "a lead byte at the end is found");
	ok(!rt_utf8_valid("id-\xed\xa0\x80-x"), "a surrogate in the middle is found");
	ok(rt_utf8_valid_n("a\0b", 3), "a NUL byte counts as a character with a length");
	ok(!rt_utf8_valid_n("ok\xc3\xbc", 3), "a length that cuts a sequence is invalid");
	ok(rt_utf8_valid_n("ok\xc3\xbc", 4), "the whole sequence is valid");
}

static void test_utf16(void)
{
	is_int(rt_utf16_units("", 0), 0, "empty: no units");
	is_int(rt_utf16_units("abc", 3), 3, "ASCII: one unit a byte");
	is_int(rt_utf16_units("\xc3\xbc\xe2\x82\xac", 5), 2, "two- and three-byte: one unit each");
	is_int(rt_utf16_units("\xf0\x9f\x98\x80", 4), 2, "a four-byte character is a surrogate pair");
	is_int(rt_utf16_units("a\xf0\x9f\x98\x80z", 6), 4, "the pair between letters");
	is_int(rt_utf16_units("\xf0\x9f\x98\x80", 2), 2, "the length bounds what is read");
	is_int(rt_utf16_units("\xff\xfe", 2), 2, "invalid lead bytes count one each");
}

int main(void)
{
	subtest("one sequence", test_seq);
	subtest("whole strings", test_valid);
	subtest("UTF-16 length", test_utf16);
	return done_testing();
}
