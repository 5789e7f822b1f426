/*
 * queue.h - intrusive singly linked FIFO queues kept as a head and a tail
 * pointer, the shape of the host's and the engine's job, result, command
 * and mail queues. Macros, so each queue keeps its own element type and
 * the name of its link field; the element's memory stays its owner's.
 *
 * Every argument but `item` is an lvalue evaluated more than once: pass
 * plain names or fields, never calls. Locking is the caller's.
 */
#ifndef COMMON_QUEUE_H
#define COMMON_QUEUE_H

#include <stddef.h>

/* Appends item at the tail; item->next becomes NULL. */
#define RT_QUEUE_APPEND(head, tail, item, next)  \
	do {                                     \
		(item)->next = NULL;             \
		if (tail)                        \
			(tail)->next = (item);   \
		else                             \
			(head) = (item);         \
		(tail) = (item);                 \
	} while (0)

/* Appends the chain first..last (already linked through `next`) at the
 * tail in O(1); last->next becomes NULL. */
#define RT_QUEUE_APPEND_CHAIN(head, tail, first, last, next) \
	do {                                                 \
		(last)->next = NULL;                         \
		if (tail)                                    \
			(tail)->next = (first);              \
		else                                         \
			(head) = (first);                    \
		(tail) = (last);                             \
	} while (0)

/* Takes the element at the head into out, or sets out to NULL when empty. */
#define RT_QUEUE_POP(head, tail, out, next)        \
	do {                                       \
		(out) = (head);                    \
		if (out) {                         \
			(head) = (out)->next;      \
			if (!(head))               \
				(tail) = NULL;     \
		}                                  \
	} while (0)

#endif
