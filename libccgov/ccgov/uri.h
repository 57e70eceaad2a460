/* Percent-encoding (RFC 3986 section 2.1), for file URIs in SARIF and package URLs. */
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

#endif
