/* keepalived.conf text to a tree of keyword lines, as keepalived reads
 * it (the grammar); keepalived.c gives the tree its meaning. Pure. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keepalived_tree.h"

#define MAX_INCLUDE 8
#define MAX_WORDS   64

struct ka_reader *ka_reader_new(struct conf_diag *diag, ka_include_fn inc,
				void *arg)
{
	struct ka_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->diag = diag;
	r->include = inc;
	r->arg = arg;
	r->stack[0] = &r->root;
	r->root.block = true;
	return r;
}

struct conf_diag *ka_reader_diag(struct ka_reader *r)
{
	return r->diag;
}

int ka_reader_depth(const struct ka_reader *r)
{
	return r->inc_depth;
}

static struct ka_node *node_add(struct ka_node *parent)
{
	struct ka_node *k =
	    realloc(parent->kids, (parent->n_kids + 1) * sizeof(*k));

	if (!k)
		return NULL;
	parent->kids = k;
	k = &parent->kids[parent->n_kids++];
	memset(k, 0, sizeof(*k));
	return k;
}

void ka_node_free(struct ka_node *n)
{
	size_t i;
	int a;

	for (i = 0; i < n->n_kids; i++)
		ka_node_free(&n->kids[i]);
	free(n->kids);
	for (a = 0; a < n->argc; a++)
		free(n->argv[a]);
	free(n->argv);
}

/*
 * Splits one line into words as keepalived does: '"' quotes (the quotes
 * are dropped), '#' or '!' at the start of a word ends the line, '{' and
 * '}' are words of their own.
 */
static int split_line(const char *p, const char *end, char **words)
{
	int n = 0;

	while (p < end && n < MAX_WORDS) {
		const char *start;
		size_t len;

		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p >= end || *p == '#' || *p == '!')
			break;
		if (*p == '{' || *p == '}') {
			words[n++] = strndup(p, 1);
			p++;
			continue;
		}
		if (*p == '"') {
			start = ++p;
			while (p < end && *p != '"')
				p++;
			len = (size_t)(p - start);
			if (p < end)
				p++;
		} else {
			start = p;
			while (p < end && !isspace((unsigned char)*p) &&
			       *p != '{' && *p != '}' && *p != '"')
				p++;
			len = (size_t)(p - start);
		}
		words[n] = strndup(start, len);
		if (words[n])
			n++;
	}
	return n;
}

static void statement_end(struct ka_reader *r, char **words, int n,
			  struct imp_src at, bool opens)
{
	struct ka_node *k;

	if (n == 0)
		return;
	if (!opens && strcmp(words[0], "include") == 0) {
		if (n < 2)
			imp_msg(r->diag, IMP_WARNING, at,
				"include needs a file name; ignored");
		else if (r->inc_depth >= MAX_INCLUDE)
			imp_msg(r->diag, IMP_ERROR, at,
				"include nested more than %d deep",
				MAX_INCLUDE);
		else if (r->include) {
			r->inc_depth++;
			r->include(r, words[1], at, r->arg);
			r->inc_depth--;
		}
		for (int i = 0; i < n; i++)
			free(words[i]);
		return;
	}
	k = node_add(r->stack[r->depth]);
	if (!k) {
		for (int i = 0; i < n; i++)
			free(words[i]);
		return;
	}
	k->argv = calloc((size_t)n, sizeof(char *));
	if (!k->argv) {
		for (int i = 0; i < n; i++)
			free(words[i]);
		return;
	}
	memcpy(k->argv, words, (size_t)n * sizeof(char *));
	k->argc = n;
	k->at = at;
}

static void open_block(struct ka_reader *r, struct imp_src at)
{
	struct ka_node *cur = r->stack[r->depth];
	struct ka_node *owner;

	/* "{" alone on a line opens the block of the keyword above it */
	if (cur->n_kids == 0 || cur->kids[cur->n_kids - 1].block) {
		imp_msg(r->diag, IMP_WARNING, at,
			"'{' without a keyword before it; its block is read "
			"as keepalived would: ignored");
		owner = node_add(cur);
		if (!owner)
			return;
		owner->at = at;
		owner->argv = calloc(1, sizeof(char *));
		if (owner->argv && (owner->argv[0] = strdup("{"))) {
			owner->argc = 1;
		} else {
			/* every node has a keyword: the mappers rely on it */
			free(owner->argv);
			cur->n_kids--;
			return;
		}
	} else {
		owner = &cur->kids[cur->n_kids - 1];
	}
	if (r->depth >= KA_MAX_DEPTH) {
		imp_msg(r->diag, IMP_ERROR, at,
			"blocks nested more than %d "
			"deep",
			KA_MAX_DEPTH);
		return;
	}
	owner->block = true;
	r->stack[++r->depth] = owner;
}

static const char *file_intern(struct ka_reader *r, const char *file)
{
	size_t i;

	for (i = 0; i < r->files.n; i++)
		if (strcmp(r->files.v[i], file) == 0)
			return r->files.v[i];
	imp_strv_push(&r->files, file);
	return r->files.n ? r->files.v[r->files.n - 1] : "-";
}

void ka_reader_feed(struct ka_reader *r, const char *text, size_t len,
		    const char *file)
{
	const char *p = text, *end = text + len;
	struct imp_src at = {file_intern(r, file), 0};

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		char *words[MAX_WORDS];
		int n, i, start = 0;

		if (!eol)
			eol = end;
		at.line++;
		n = split_line(p, eol, words);
		for (i = 0; i < n; i++) {
			bool open = strcmp(words[i], "{") == 0;

			if (!open && strcmp(words[i], "}") != 0)
				continue;
			statement_end(r, words + start, i - start, at, open);
			free(words[i]);
			start = i + 1;
			if (open) {
				open_block(r, at);
			} else if (r->depth > 0) {
				r->depth--;
			} else {
				imp_msg(r->diag, IMP_WARNING, at,
					"'}' closes no block; ignored");
			}
		}
		statement_end(r, words + start, n - start, at, false);
		p = eol + 1;
	}
	/* keepalived reads an unclosed block to the end of the file */
	if (r->inc_depth == 0 && r->depth > 0) {
		imp_msg(r->diag, IMP_WARNING, at,
			"%d block(s) not closed at the end of the file; "
			"read to the end as keepalived does",
			r->depth);
	}
}
