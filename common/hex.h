/*
 * hex.h - one hexadecimal digit's value, for the decoders that read hex by
 * hand (percent-escapes in URLs, UUIDs, \u escapes in JSON) one character
 * at a time, where libsodium's whole-buffer sodium_hex2bin does not fit.
 */
#ifndef COMMON_HEX_H
#define COMMON_HEX_H

/* 0-15 for '0'-'9', 'a'-'f' and 'A'-'F'; -1 for any other value of c. */
static inline int rt_hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
