/*
 * Reload without loss (SIGHUP, `reload` on the control socket): the new
 * file is loaded and validated, new addresses are bound, and only then
 * does the new configuration replace the old one. Listening sockets
 * whose address stays are handed over (never closed), servers that stay
 * keep their health, admin state, counters and stick entries, and open
 * sessions move to the new objects. Sessions of removed servers or
 * sections keep the old objects (and the old configuration) alive until
 * they end.
 */
#ifndef FWD_RELOAD_H
#define FWD_RELOAD_H

#include "../common/sbuf.h"

struct conf;
struct fwd;

/* Remembers the file to re-read (made absolute: fwd may chdir). */
int reload_init(struct fwd *f, const char *path);
/*
 * Start-up is a reload from nothing: the same builders put conf's
 * sections in place and bind their addresses. Takes conf (freed on
 * failure). 0, or -errno with the reason logged.
 */
int reload_start(struct fwd *f, struct conf *conf);
/* Frees what is left (at exit, after every session closed). */
void reload_free(struct fwd *f);
/*
 * Re-reads the file. Appends one JSON line to reply: {"ok":true,
 * "listeners":{"kept","added","removed"},"servers":{...},"binds":{...}}
 * or {"ok":false,"error":...}. Returns 0, or -1 with the old
 * configuration still in force.
 */
int reload_run(struct fwd *f, struct sbuf *reply);

#endif
