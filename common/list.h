/*
 * Intrusive doubly linked list, circular with a head node, as in HAProxy
 * (include/haproxy/list.h) and the Linux kernel: an object embeds one
 * struct list per list it can be on and is found back with list_entry().
 * An unlinked node points to itself, so list_empty() on a node tells
 * whether it is on a list, and list_del() twice is harmless.
 */
#ifndef COMMON_LIST_H
#define COMMON_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct list {
	struct list *next, *prev;
};

#define container_of(ptr, type, member)                                        \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))
#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(head, type, member)                                   \
	list_entry((head)->next, type, member)

static inline void list_init(struct list *l)
{
	l->next = l->prev = l;
}

/* True if the head has no element, or the node is on no list. */
static inline bool list_empty(const struct list *l)
{
	return l->next == l;
}

static inline void list_insert(struct list *item, struct list *prev,
			       struct list *next)
{
	item->prev = prev;
	item->next = next;
	prev->next = item;
	next->prev = item;
}

/* Adds item at the front of head's list. */
static inline void list_add(struct list *head, struct list *item)
{
	list_insert(item, head, head->next);
}

/* Adds item at the back of head's list. */
static inline void list_add_tail(struct list *head, struct list *item)
{
	list_insert(item, head->prev, head);
}

/* Unlinks item (if linked) and leaves it pointing to itself. */
static inline void list_del(struct list *item)
{
	item->prev->next = item->next;
	item->next->prev = item->prev;
	list_init(item);
}

/* Moves every element of from to the empty head to; from ends empty. */
static inline void list_take(struct list *to, struct list *from)
{
	if (list_empty(from)) {
		list_init(to);
		return;
	}
	*to = *from;
	to->next->prev = to;
	to->prev->next = to;
	list_init(from);
}

#define list_for_each_entry(pos, head, member)                                 \
	for ((pos) = list_entry((head)->next, __typeof__(*(pos)), member);     \
	     &(pos)->member != (head);                                         \
	     (pos) =                                                           \
		 list_entry((pos)->member.next, __typeof__(*(pos)), member))

/* The same, with pos free to be unlinked or freed in the body. */
#define list_for_each_entry_safe(pos, tmp, head, member)                       \
	for ((pos) = list_entry((head)->next, __typeof__(*(pos)), member),     \
	    (tmp) =                                                            \
		 list_entry((pos)->member.next, __typeof__(*(pos)), member);   \
	     &(pos)->member != (head);                                         \
	     (pos) = (tmp), (tmp) = list_entry((tmp)->member.next,             \
					       __typeof__(*(pos)), member))

#endif
