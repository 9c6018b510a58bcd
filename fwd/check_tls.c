/*
 * TLS for health checks, with OpenSSL: the tls check type (a complete
 * handshake is the test) and the transport http and smtp checks use
 * (ssl = true, STARTTLS). Non-blocking: OpenSSL's WANT_READ/WANT_WRITE
 * become the events check.c waits for in fwd's loop. Each server gets
 * one client context, made at its first TLS check.
 */
#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include "../common/parse.h"
#include "check_run.h"
#include "fwd.h"

static SSL_CTX *tls_ctx_new(const struct conf_check_app *a, char *err,
			    size_t size)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (!ctx) {
		snprintf(err, size, "no TLS context: %s",
			 ERR_reason_error_string(ERR_get_error()));
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* each check is a full handshake: it should see the certificate */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (!a->verify) {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
		return ctx;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (a->ca_file[0]
		? SSL_CTX_load_verify_locations(ctx, a->ca_file, NULL) != 1
		: SSL_CTX_set_default_verify_paths(ctx) != 1) {
		snprintf(err, size, "cannot load CA certificates %.80s: %s",
			 a->ca_file[0] ? a->ca_file : "(system)",
			 ERR_reason_error_string(ERR_get_error()));
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

void check_tls_ctx_free(struct fwd_server *s)
{
	SSL_CTX_free(s->tls_ctx);
	s->tls_ctx = NULL;
}

/* The name a verified certificate must carry: sni, else the http
 * check's host, else the server's address (checked as an IP). */
static int tls_set_peer_name(struct check_run *r, SSL *ssl)
{
	const struct conf_check_app *a = r->app;
	const char *name = a->sni[0] ? a->sni : a->host;
	char addr[80], *colon;

	if (name[0]) {
		char host[256];

		/* a Host header may carry a port */
		snprintf(host, sizeof(host), "%s", name);
		colon = strrchr(host, ':');
		if (colon && !strchr(host, ']') && colon == strchr(host, ':'))
			*colon = '\0';
		return SSL_set1_host(ssl, host) == 1 ? 0 : -1;
	}
	sockaddr_str((const struct sockaddr *)&r->s->conf->addr, addr,
		     sizeof(addr));
	/* "1.2.3.4:443" or "[::1]:443": keep the address only */
	colon = strrchr(addr, ':');
	if (colon)
		*colon = '\0';
	if (addr[0] == '[') {
		memmove(addr, addr + 1, strlen(addr));
		addr[strlen(addr) - 1] = '\0';
	}
	return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), addr) == 1
		   ? 0
		   : -1;
}

int check_tls_begin(struct check_run *r)
{
	struct fwd_server *s = r->s;
	const struct conf_check_app *a = r->app;
	char err[sizeof(r->v.detail)];
	SSL *ssl;

	r->layer = 6;
	if (!s->tls_ctx) {
		s->tls_ctx = tls_ctx_new(a, err, sizeof(err));
		if (!s->tls_ctx) {
			check_verdict_set(&r->v, CHECK_L6RSP, "%s", err);
			return -1;
		}
	}
	ERR_clear_error();
	ssl = SSL_new(s->tls_ctx);
	if (!ssl || SSL_set_fd(ssl, r->fd) != 1 ||
	    (a->sni[0] && SSL_set_tlsext_host_name(ssl, a->sni) != 1) ||
	    (a->verify && tls_set_peer_name(r, ssl) < 0)) {
		check_verdict_set(&r->v, CHECK_L6RSP, "TLS setup: %s",
				  ERR_reason_error_string(ERR_get_error()));
		SSL_free(ssl);
		return -1;
	}
	SSL_set_connect_state(ssl);
	r->ssl = ssl;
	return 0;
}

/* Maps an OpenSSL result to want/errno; returns true when it waits. */
static bool tls_wants(struct check_run *r, int rc)
{
	switch (SSL_get_error(r->ssl, rc)) {
	case SSL_ERROR_WANT_READ:
		r->want = EPOLLIN;
		return true;
	case SSL_ERROR_WANT_WRITE:
		r->want = EPOLLOUT;
		return true;
	default:
		return false;
	}
}

/* Why a handshake failed, in the library's words. */
static void tls_reason(struct check_run *r, int rc, char *out, size_t size)
{
	int e = SSL_get_error(r->ssl, rc);
	unsigned long code = ERR_peek_error();
	long vr = SSL_get_verify_result(r->ssl);

	if (vr != X509_V_OK && code &&
	    ERR_GET_REASON(code) == SSL_R_CERTIFICATE_VERIFY_FAILED)
		snprintf(out, size, "certificate verify failed: %s",
			 X509_verify_cert_error_string(vr));
	else if (code)
		snprintf(out, size, "%s", ERR_reason_error_string(code));
	else if (e == SSL_ERROR_SYSCALL && errno)
		snprintf(out, size, "%s", strerror(errno));
	else if (e == SSL_ERROR_SYSCALL || e == SSL_ERROR_ZERO_RETURN)
		snprintf(out, size, "connection closed by the server");
	else
		snprintf(out, size, "SSL error %d", e);
	ERR_clear_error();
}

static void tls_keep_expiry(struct check_run *r)
{
	X509 *cert = SSL_get1_peer_certificate(r->ssl);
	const ASN1_TIME *na;
	struct tm tm;

	if (!cert)
		return;
	na = X509_get0_notAfter(cert);
	if (na && ASN1_TIME_to_tm(na, &tm) == 1)
		r->s->cert_not_after = (int64_t)timegm(&tm);
	X509_free(cert);
}

int check_tls_handshake(struct check_run *r)
{
	char why[128];
	int rc;

	ERR_clear_error();
	errno = 0;
	rc = SSL_do_handshake(r->ssl);
	if (rc == 1) {
		r->layer = 7;
		tls_keep_expiry(r);
		return 1;
	}
	if (tls_wants(r, rc))
		return 0;
	tls_reason(r, rc, why, sizeof(why));
	check_verdict_set(&r->v, CHECK_L6RSP, "TLS handshake failed: %s", why);
	return -1;
}

ssize_t check_tls_read(struct check_run *r, void *buf, size_t n)
{
	int rc, e;

	ERR_clear_error();
	rc = SSL_read(r->ssl, buf, (int)n);
	if (rc > 0)
		return rc;
	if (tls_wants(r, rc)) {
		errno = EAGAIN;
		return -1;
	}
	e = SSL_get_error(r->ssl, rc);
	ERR_clear_error();
	if (e == SSL_ERROR_ZERO_RETURN ||
	    (e == SSL_ERROR_SYSCALL && errno == 0))
		return 0; /* close_notify, or a plain close */
	if (errno == 0 || errno == EAGAIN)
		errno = EPROTO;
	return -1;
}

ssize_t check_tls_write(struct check_run *r, const void *buf, size_t n)
{
	int rc;

	ERR_clear_error();
	rc = SSL_write(r->ssl, buf, (int)n);
	if (rc > 0)
		return rc;
	if (tls_wants(r, rc)) {
		errno = EAGAIN;
		return -1;
	}
	ERR_clear_error();
	if (errno == 0 || errno == EAGAIN)
		errno = EPROTO;
	return -1;
}

void check_tls_end(struct check_run *r)
{
	if (r->layer == 7)
		SSL_shutdown(r->ssl); /* best effort: never waited for */
	ERR_clear_error();
	SSL_free(r->ssl);
	r->ssl = NULL;
}

/* The tls check: the handshake is the whole test. */
static enum check_step tls_io(struct check_run *r)
{
	int rc = check_tls_handshake(r);

	if (rc == 0)
		return CHECK_STEP_WAIT;
	if (rc > 0)
		check_verdict_set(&r->v, CHECK_L6OK, "TLS handshake done (%s)",
				  SSL_get_version(r->ssl));
	return CHECK_STEP_DONE;
}

static enum check_step tls_start(struct check_run *r)
{
	if (check_tls_begin(r) < 0)
		return CHECK_STEP_DONE;
	return tls_io(r);
}

const struct check_type check_type_tls = {.start = tls_start, .io = tls_io};
