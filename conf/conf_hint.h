/*
 * Why libconfig said "syntax error": a likely cause read from the text
 * of the file around the line it names. Pure: the caller reads the file.
 */
#ifndef CONF_HINT_H
#define CONF_HINT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * text is the whole file, line libconfig's error line. Writes one
 * sentence to buf and returns true when a cause is recognised: a setting
 * name that starts with a digit ("50 = {"), a key with no "= value"
 * ("smtp_alert;", or alone on the line before). vrrpd-import's sniffing
 * of keepalived and HAProxy syntax is called from here as well.
 */
bool conf_syntax_hint(const char *text, int line, char *buf, size_t len);

#endif
