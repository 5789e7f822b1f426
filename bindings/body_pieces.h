/*
 * body_pieces.h - a body stream (body_stream.h) sent as a run of text
 * pieces, each made when the previous one has gone out. The status and
 * history streams are such runs: a head, one piece per event, a tail.
 *
 * A stream embeds struct bind_pieces first, sets base.fill to
 * bind_pieces_fill and `next` to its own piece maker, and puts its first
 * piece in `text` (malloc'd; the run owns it from then on). Its close()
 * calls bind_pieces_free.
 */
#ifndef BIND_BODY_PIECES_H
#define BIND_BODY_PIECES_H

#include <stddef.h>

#include "bindings/body_stream.h"

struct bind_pieces {
	struct bind_body_stream base; /* first */
	/*
	 * Puts the next piece in text (malloc'd) and len, and sets `finished`
	 * with the final one; returns 0, leaving text NULL, once the body is
	 * complete. Called with text already freed and len and off at 0.
	 */
	int (*next)(struct bind_pieces *p);
	int finished; /* the final piece is in text */
	char *text;   /* the piece being sent */
	size_t len, off;
};

/* The fill() of every run: copies pieces into buf until cap or the end,
 * saying "last" with the final bytes rather than in an empty piece. */
size_t bind_pieces_fill(struct bind_body_stream *base, char *buf, size_t cap, int *last);

/* `one` (malloc'd, freed here) with a ',' before it, malloc'd: the piece
 * of an array's element after the first. */
char *bind_pieces_comma(char *one);

/* Frees the piece being sent (not the stream itself). */
void bind_pieces_free(struct bind_pieces *p);

#endif
