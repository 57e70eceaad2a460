/*
 * URLs in evidence: percent-encoding (RFC 3986 section 2.1) for file URIs
 * in SARIF and package URLs, and the redaction every URL goes through
 * before it reaches an artifact or a report.
 */
#ifndef CCGOV_URI_H
#define CCGOV_URI_H

/*
 * A copy of s in which every byte other than the unreserved characters
 * (A-Z a-z 0-9 - . _ ~) and those listed in keep is written as %XX in
 * upper-case hex. A relative path encoded with keep "/" is a valid
 * relative reference whatever its bytes (':' too is encoded, so a first
 * segment is never read as a scheme). NULL if out of memory.
 */
char *ccgov_uri_encode(const char *s, const char *keep);

/* What a caller keeps of a URL's query and fragment; the rest of them is dropped. */
typedef struct {
	const char *const *query_keys; /* parameters kept, by exact name, NULL-terminated; NULL: none */
	int fragment;                  /* 1: the fragment is kept */
} ccgov_uri_keep;

/*
 * url as evidence may show it: where something comes from, never how to
 * log in there. Provenance, SBOMs and reports are shared and kept for
 * years; a token in a remote URL would be published with them.
 *
 *   scheme://userinfo@host:port/path?query#fragment
 *     userinfo is removed, except a plain login name (letters, digits,
 *     . _ ~ -) of an ssh URL (ssh, git+ssh, ssh+git): "git" in
 *     ssh://git@host/x names the account, and ssh never authenticates
 *     with a password written in the URL; a password is always removed.
 *     The authority ends at the first '/', '?' or '#' (RFC 3986), and
 *     the userinfo at its last '@'; a port that is not digits (what is
 *     left of "user:pa?ss@host" cut at its '?') is removed too.
 *     query and fragment are removed, but for what keep names.
 *   user@host:path (scp-like, as git reads it: a ':' before any '/')
 *     the same rules as ssh; '?' and '#' end the path.
 *   anything else (a local path, relative or absolute)
 *     unchanged: '@', '?' and '#' are parts of file names there.
 *
 * Percent-encoded bytes are never decoded, so "%40" and "%3F" stay
 * part of what they are in. What a removed login leaves is redacted in
 * turn, so the result is idempotent. NULL if out of memory.
 */
char *ccgov_uri_redact(const char *url, const ccgov_uri_keep *keep);

#endif
