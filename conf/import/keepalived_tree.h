/*
 * Inside the keepalived.conf reader: the tree of keyword lines that
 * keepalived_read.c builds from text and keepalived.c maps to typed
 * structs. Not for other modules.
 */
#ifndef CONF_IMPORT_KEEPALIVED_TREE_H
#define CONF_IMPORT_KEEPALIVED_TREE_H

#include "keepalived.h"

#define KA_MAX_DEPTH 16

/* One keyword line: its words and, when it opens a block, its children. */
struct ka_node {
	char **argv;
	int argc;
	struct imp_src at;
	struct ka_node *kids;
	size_t n_kids;
	bool block;
};

struct ka_reader {
	struct conf_diag *diag;
	ka_include_fn include;
	void *arg;
	struct ka_node root;
	struct ka_node *stack[KA_MAX_DEPTH + 1];
	int depth;     /* stack[depth] receives new lines */
	int inc_depth; /* nesting of include */
	struct imp_strv files;
};

void ka_node_free(struct ka_node *n);

/* A block's keywords (keepalived_keys.c). */
struct ka_block_keys {
	const char *const *carried;
	const char *const *known; /* keepalived reads these; we do not */
	const char *what;	  /* the block, for messages */
};

extern const struct ka_block_keys ka_top_keys, ka_global_keys, ka_script_keys,
    ka_instance_keys;

/* Reports n's keyword unless it is carried; returns true when it is. */
bool ka_keyword_carried(struct conf_diag *d, const struct ka_node *n,
			const struct ka_block_keys *k);

#endif
