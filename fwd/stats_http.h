/*
 * fwd's optional HTTP status page listener (forwarder.stats,
 * docs/stats-page.md): a small HTTP/1.1 server on the event loop that
 * answers one GET/HEAD per connection and closes it.
 */
#ifndef FWD_STATS_HTTP_H
#define FWD_STATS_HTTP_H

struct fwd;

/* Binds the configured stats address (before dropping root); 0 when
 * there is none, or -errno. */
int stats_http_open(struct fwd *f);
void stats_http_close(struct fwd *f);
/* vrrpd answered (or the link dropped): serve the requests waiting. */
void stats_http_status_arrived(struct fwd *f);

#endif
