/* Percent-encoding, and URLs made fit for evidence. */
#include <ccgov/buffer.h>
#include <ccgov/uri.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '.' || c == '_' || c == '~';
}

char *ccgov_uri_encode(const char *s, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";
	ccgov_buffer b = CCGOV_BUFFER_INIT;

	ccgov_buffer_append(&b, "", 0);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (unreserved(*p) || (keep && strchr(keep, *p))) {
			ccgov_buffer_putc(&b, (char)*p);
		} else {
			char esc[3] = { '%', hex[*p >> 4], hex[*p & 15] };

			ccgov_buffer_append(&b, esc, 3);
		}
	}
	if (b.failed) {
		ccgov_buffer_free(&b);
		return NULL;
	}
	return ccgov_buffer_detach(&b, NULL);
}

/* ---- redaction --------------------------------------------------------- */

/*
 * The length of url's scheme when it starts with "scheme://", else 0. A
 * scheme that RFC 3986 would refuse ("1x://") is taken all the same: read
 * as a URL, its userinfo is removed rather than kept as part of a path.
 */
static size_t scheme_length(const char *url)
{
	size_t n = 0;

	while (isalnum((unsigned char)url[n]) || url[n] == '+' || url[n] == '-' || url[n] == '.')
		n++;
	return n && strncmp(url + n, "://", 3) == 0 ? n : 0;
}

/* Transports whose user name is an account ("git"), never a token: ssh authenticates with keys. */
static int ssh_scheme(const char *scheme, size_t n)
{
	return (n == 3 && strncasecmp(scheme, "ssh", 3) == 0) ||
	       (n == 7 && (strncasecmp(scheme, "git+ssh", 7) == 0 || strncasecmp(scheme, "ssh+git", 7) == 0));
}

/*
 * The login name of userinfo (n bytes), and '@', when it may be shown: an
 * ssh account made of unreserved characters only. Anything else could be
 * a token (https://TOKEN@host/ is how several forges take one), or hide
 * one behind percent-encoding.
 */
static void put_login(ccgov_buffer *b, const char *userinfo, size_t n, int ssh)
{
	size_t user = 0;

	while (user < n && userinfo[user] != ':')
		user++;
	if (!ssh || user == 0)
		return;
	for (size_t i = 0; i < user; i++)
		if (!unreserved((unsigned char)userinfo[i]))
			return;
	ccgov_buffer_append(b, userinfo, user);
	ccgov_buffer_putc(b, '@');
}

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * host[:port] (n bytes). A port that is not digits is not a port: it is
 * what is left of a password when a '?' or '#' in it cut the authority
 * short ("user:pa?ss@host"), and is dropped.
 */
static void put_host(ccgov_buffer *b, const char *host, size_t n)
{
	const char *close = n && host[0] == '[' ? memchr(host, ']', n) : NULL;
	size_t name = close ? (size_t)(close - host) + 1 : 0;

	if (!close)
		while (name < n && host[name] != ':')
			name++;
	ccgov_buffer_append(b, host, name);
	if (name < n && host[name] == ':' && all_digits(host + name + 1, n - name - 1))
		ccgov_buffer_append(b, host + name, n - name);
}

static int key_kept(const char *const *keys, const char *key, size_t n)
{
	for (; keys && *keys; keys++)
		if (strlen(*keys) == n && memcmp(*keys, key, n) == 0)
			return 1;
	return 0;
}

/* The parameters of query (n bytes, no '?') that keep names, in their order. */
static void put_query(ccgov_buffer *b, const char *query, size_t n, const ccgov_uri_keep *keep)
{
	const char *p = query, *end = query + n;
	int first = 1;

	while (keep && keep->query_keys && p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p)), *stop = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(stop - p));

		if (key_kept(keep->query_keys, p, (size_t)((eq ? eq : stop) - p))) {
			ccgov_buffer_putc(b, first ? '?' : '&');
			ccgov_buffer_append(b, p, (size_t)(stop - p));
			first = 0;
		}
		p = amp ? amp + 1 : end;
	}
}

/* From rest on: the path, then what keep keeps of query and fragment. */
static void put_path_and_after(ccgov_buffer *b, const char *rest, const ccgov_uri_keep *keep)
{
	size_t path = strcspn(rest, "?#");
	const char *query = rest[path] == '?' ? rest + path + 1 : NULL;
	const char *hash = strchr(rest + path, '#');

	ccgov_buffer_append(b, rest, path);
	if (query)
		put_query(b, query, hash ? (size_t)(hash - query) : strlen(query), keep);
	if (hash && keep && keep->fragment)
		ccgov_buffer_puts(b, hash);
}

static void redact_hierarchical(ccgov_buffer *b, const char *url, size_t scheme, const ccgov_uri_keep *keep)
{
	const char *authority = url + scheme + 3, *at = NULL;
	size_t end = strcspn(authority, "/?#");

	for (size_t i = 0; i < end; i++)
		if (authority[i] == '@')
			at = authority + i;
	ccgov_buffer_append(b, url, scheme + 3);
	if (at)
		put_login(b, authority, (size_t)(at - authority), ssh_scheme(url, scheme));
	put_host(b, at ? at + 1 : authority, end - (at ? (size_t)(at + 1 - authority) : 0));
	put_path_and_after(b, authority + end, keep);
}

/*
 * user@host:path. The userinfo ends at the last '@' before the first '/'
 * that still has the host's ':' after it, so that neither "a@b" in the
 * path nor an '@' in a password moves the host.
 */
static void redact_scp_like(ccgov_buffer *b, const char *url, const ccgov_uri_keep *keep)
{
	size_t span = strcspn(url, "/");
	const char *at = NULL;

	for (size_t i = span; i-- > 0;) {
		if (url[i] == '@' && memchr(url + i + 1, ':', span - i - 1)) {
			at = url + i;
			break;
		}
	}
	if (at)
		put_login(b, url, (size_t)(at - url), 1);
	put_path_and_after(b, at ? at + 1 : url, keep);
}

/* git's rule (url_is_local_not_ssh): a ':' before any '/' makes host:path. */
static int scp_like(const char *url)
{
	const char *colon = strchr(url, ':'), *slash = strchr(url, '/');

	return colon && (!slash || colon < slash);
}

static char *redact_once(const char *url, const ccgov_uri_keep *keep)
{
	ccgov_buffer b = CCGOV_BUFFER_INIT;
	size_t scheme = scheme_length(url);

	ccgov_buffer_append(&b, "", 0);
	if (scheme)
		redact_hierarchical(&b, url, scheme, keep);
	else if (scp_like(url))
		redact_scp_like(&b, url, keep);
	else
		ccgov_buffer_puts(&b, url);
	if (b.failed) {
		ccgov_buffer_free(&b);
		return NULL;
	}
	return ccgov_buffer_detach(&b, NULL);
}

/*
 * Removing a login can leave text that reads as another kind of URL
 * ("x%@ssh://u:p@h/r" is scp-like, and without "x%@" it is an ssh URL with
 * a password): redact again until nothing changes. A change only removes
 * bytes, so this ends.
 */
char *ccgov_uri_redact(const char *url, const ccgov_uri_keep *keep)
{
	char *out = redact_once(url, keep), *again;

	if (!out || strcmp(out, url) == 0)
		return out;
	for (;;) {
		if (!(again = redact_once(out, keep))) {
			free(out);
			return NULL;
		}
		if (strcmp(again, out) == 0) {
			free(again);
			return out;
		}
		free(out);
		out = again;
	}
}
