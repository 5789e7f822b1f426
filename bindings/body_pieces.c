/*
 * body_pieces.c - sending a body stream piece by piece (body_pieces.h).
 */
#include "bindings/body_pieces.h"

#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* The next piece into p->text; 0 when the body is complete. */
static int next_piece(struct bind_pieces *p)
{
	free(p->text);
	p->text = NULL;
	p->len = p->off = 0;
	return p->next(p);
}

size_t bind_pieces_fill(struct bind_body_stream *base, char *buf, size_t cap, int *last)
{
	struct bind_pieces *p = (struct bind_pieces *)base;
	size_t n = 0;
	*last = 0;
	while (n < cap) {
		if (p->off == p->len && !next_piece(p)) {
			*last = 1;
			break;
		}
		size_t k = p->len - p->off < cap - n ? p->len - p->off : cap - n;
		memcpy(buf + n, p->text + p->off, k);
		p->off += k;
		n += k;
	}
	/* Say "last" with the final bytes rather than in an empty piece. */
	if (!*last && p->finished && p->off == p->len)
		*last = 1;
	return n;
}

char *bind_pieces_comma(char *one)
{
	size_t len = strlen(one);
	char *piece = xmalloc(len + 2);
	piece[0] = ',';
	memcpy(piece + 1, one, len + 1);
	free(one);
	return piece;
}

void bind_pieces_free(struct bind_pieces *p)
{
	free(p->text);
	p->text = NULL;
}
