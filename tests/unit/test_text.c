/* UTF-8 validation and timestamps. */
#include "unit.h"

static void utf8_validation(void)
{
	CHECK(ccgov_utf8_valid("", 0));
	CHECK(ccgov_utf8_valid("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14));
	CHECK(!ccgov_utf8_valid("\x80", 1));             /* lone continuation */
	CHECK(!ccgov_utf8_valid("\xc3", 1));             /* truncated */
	CHECK(!ccgov_utf8_valid("\xe0\x80\xaf", 3));     /* overlong */
	CHECK(!ccgov_utf8_valid("\xed\xbf\xbf", 3));     /* surrogate */
	CHECK(!ccgov_utf8_valid("\xf4\x90\x80\x80", 4)); /* above U+10FFFF */
	CHECK(!ccgov_utf8_valid("\xfe", 1));
}

static void utf8_encode_round_trips(void)
{
	static const uint32_t cps[] = { 0x24, 0xa2, 0x20ac, 0xfb33, 0x10348, 0x10ffff };
	char buf[4];

	for (size_t i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
		uint32_t back = 0;
		size_t n = ccgov_utf8_encode(buf, cps[i]);

		CHECK(ccgov_utf8_decode(&back, (unsigned char *)buf, n) == n);
		CHECK(back == cps[i]);
	}
}

static void timestamps(void)
{
	char text[CCGOV_TIMESTAMP_MAX];
	int64_t t;

	CHECK_OK(ccgov_timestamp_format(text, 0));
	CHECK_STR(text, "1970-01-01T00:00:00Z");
	CHECK_OK(ccgov_timestamp_format(text, 1700000000));
	CHECK_STR(text, "2023-11-14T22:13:20Z");
	CHECK_ERR(ccgov_timestamp_format(text, -1), CCGOV_EINVALID, "out of range");
	CHECK_OK(ccgov_timestamp_parse_epoch(&t, "1700000000"));
	CHECK(t == 1700000000);
	CHECK_ERR(ccgov_timestamp_parse_epoch(&t, "17e8"), CCGOV_EINVALID, "not a whole number");
	CHECK_ERR(ccgov_timestamp_parse_epoch(&t, "-5"), CCGOV_EINVALID, "not a whole number");
	CHECK_ERR(ccgov_timestamp_parse_epoch(&t, ""), CCGOV_EINVALID, "empty");
	CHECK_ERR(ccgov_timestamp_parse_epoch(&t, "99999999999999999999"), CCGOV_EINVALID,
		  "after the year 9999");
}

static void percent_encoding(void)
{
	char *e;

	CHECK((e = ccgov_uri_encode("src/a b%c:d.c", "/")) != NULL);
	CHECK_STR(e, "src/a%20b%25c%3Ad.c");
	free(e);
	CHECK((e = ccgov_uri_encode("caf\xc3\xa9/x~y-z_1.c", "/")) != NULL);
	CHECK_STR(e, "caf%C3%A9/x~y-z_1.c");
	free(e);
	CHECK((e = ccgov_uri_encode("#?[]@!$&'()*+,;=", NULL)) != NULL);
	CHECK_STR(e, "%23%3F%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D");
	free(e);
	CHECK((e = ccgov_uri_encode("", "/")) != NULL);
	CHECK_STR(e, "");
	free(e);
}

static void line_escaping(void)
{
	static const struct { const char *in; size_t len; const char *want; } cases[] = {
		{ "src/a.c", 7, "src/a.c" },
		{ "new\nline.c", 10, "new\\nline.c" },
		{ "tab\tcr\r\\x41", 11, "tab\\tcr\\r\\\\x41" },
		{ "bell\a\x1b[31m\x7f", 11, "bell\\x07\\x1b[31m\\x7f" },
		{ "bad\xff.c", 6, "bad\\xff.c" },
		{ "caf\xc3\xa9", 5, "caf\xc3\xa9" },                   /* printable UTF-8 stays */
		{ "nel\xc2\x85", 5, "nel\\xc2\\x85" },                /* C1 control */
		{ "rlo\xe2\x80\xae", 6, "rlo\\xe2\\x80\\xae" },        /* bidi override */
		{ "nul\0x", 5, "nul\\x00x" },
		{ "cut\xe2\x82", 5, "cut\\xe2\\x82" },                /* truncated sequence */
	};
	char *e;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK((e = ccgov_utf8_escape(cases[i].in, cases[i].len)) != NULL);
		CHECK_STR(e, cases[i].want);
		free(e);
	}
}

/* Every URL that reaches evidence: no password, no token, whatever the form. */
static void url_redaction(void)
{
	static const char *const cargo_keys[] = { "branch", "tag", "rev", NULL };
	static const ccgov_uri_keep cargo = { cargo_keys, 1 };
	static const struct { const char *in, *want; const ccgov_uri_keep *keep; } cases[] = {
		{ "https://host/org/repo.git", "https://host/org/repo.git", NULL },
		{ "https://user:SECRET@host/org/repo.git?access_token=SECRET#frag", "https://host/org/repo.git", NULL },
		{ "https://SECRET@github.com/org/repo", "https://github.com/org/repo", NULL }, /* a token as user */
		{ "HTTPS://User:SECRET@Host/X", "HTTPS://Host/X", NULL },
		{ "https://u:p@SECRET@host/x", "https://host/x", NULL },       /* '@' in a password */
		{ "https://user%40corp:p%40SECRET@host/x", "https://host/x", NULL },
		{ "https://user:pa?SECRET@host/x", "https://user", NULL },      /* '?' cuts the authority */
		{ "https://host:SECRET/x", "https://host/x", NULL },            /* not a port */
		{ "https://host:8443/x", "https://host:8443/x", NULL },
		{ "https://host/org/@scope/pkg@1.0", "https://host/org/@scope/pkg@1.0", NULL }, /* '@' in the path */
		{ "https://host/x#frag?SECRET", "https://host/x", NULL },       /* '?' in the fragment */
		{ "https://host/x?q=SECRET#frag", "https://host/x#frag", &cargo },
		{ "https://host/a%3Fb?token=SECRET", "https://host/a%3Fb", NULL }, /* an encoded '?' is path */
		{ "https://[2001:db8::1]:8443/repo.git?t=SECRET", "https://[2001:db8::1]:8443/repo.git", NULL },
		{ "https://u:SECRET@[fe80::1%25eth0]/r", "https://[fe80::1%25eth0]/r", NULL },
		{ "https://[::1]SECRET/r", "https://[::1]/r", NULL },
		{ "ssh://git@github.com/org/repo.git", "ssh://git@github.com/org/repo.git", NULL },
		{ "ssh://git:SECRET@host:2222/x", "ssh://git@host:2222/x", NULL },
		{ "ssh://git@[::1]:22/repo", "ssh://git@[::1]:22/repo", NULL },
		{ "ssh://us%3ASECRET@host/x", "ssh://host/x", NULL },           /* not a plain login */
		{ "ssh://:SECRET@host/x", "ssh://host/x", NULL },
		{ "git+ssh://git@host/x?y=SECRET", "git+ssh://git@host/x", NULL },
		{ "git@github.com:org/repo.git", "git@github.com:org/repo.git", NULL },
		{ "git:SECRET@github.com:org/repo.git", "git@github.com:org/repo.git", NULL },
		{ "git@host:org/a@b.git", "git@host:org/a@b.git", NULL },
		{ "git@host:repo?SECRET@x", "git@host:repo", NULL },
		{ "us@er:pa@SECRET@host:path", "host:path", NULL },
		{ "github.com:org/repo.git#SECRET", "github.com:org/repo.git", NULL },
		{ "git@[::1]:repo.git", "git@[::1]:repo.git", NULL },
		{ "file:///srv/git/repo.git", "file:///srv/git/repo.git", NULL },
		{ "file://user:SECRET@host/srv/repo?SECRET", "file://host/srv/repo", NULL },
		{ "/srv/git/repo?x#y@z", "/srv/git/repo?x#y@z", NULL },         /* a path: names, not a query */
		{ "../lib.git", "../lib.git", NULL },
		{ "", "", NULL },
		{ "1x://u:SECRET@host/x", "1x://host/x", NULL },               /* a bad scheme is still a URL */
		{ "x%@ssh://u:SECRET@h/r", "ssh://u@h/r", NULL },               /* what is left is redacted too */
		{ "registry+https://github.com/rust-lang/crates.io-index",
		  "registry+https://github.com/rust-lang/crates.io-index", &cargo },
		{ "git+https://u:SECRET@github.com/o/r?branch=main&token=SECRET&rev=1#0123abc",
		  "git+https://github.com/o/r?branch=main&rev=1#0123abc", &cargo },
		{ "git+https://github.com/o/r?revision=SECRET", "git+https://github.com/o/r", &cargo },
	};
	char *got, *again;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK((got = ccgov_uri_redact(cases[i].in, cases[i].keep)) != NULL);
		CHECK_STR(got, cases[i].want);
		CHECK(!strstr(got, "SECRET"));
		CHECK((again = ccgov_uri_redact(got, cases[i].keep)) != NULL); /* idempotent */
		CHECK_STR(again, got);
		free(again);
		free(got);
	}
}

/* An error quotes its input: whatever that holds, the message is one line of text. */
static void errors_are_one_line(void)
{
	CHECK(ccgov_error_set(CCGOV_EINVALID, "%s: tag: '%s' is not a valid tag", "ccgov.json", "a\nb\tc\x01\x7f") ==
	      CCGOV_EINVALID);
	CHECK_STR(ccgov_error_last()->message, "ccgov.json: tag: 'a\\x0ab\\x09c\\x01\\x7f' is not a valid tag");
	CHECK(ccgov_error_wrap("%s", "dir\rname") == CCGOV_EINVALID);
	CHECK_STR(ccgov_error_last()->message, "dir\\x0dname: ccgov.json: tag: 'a\\x0ab\\x09c\\x01\\x7f' is not a valid tag");
	ccgov_error_clear();
}

const struct unit_test text_tests[] = {
	{ "UTF-8 validation per RFC 3629", utf8_validation },
	{ "UTF-8 encode and decode round-trip", utf8_encode_round_trips },
	{ "RFC 3339 timestamps and SOURCE_DATE_EPOCH", timestamps },
	{ "RFC 3986 percent-encoding", percent_encoding },
	{ "URLs in evidence lose passwords, tokens, queries and fragments", url_redaction },
	{ "one-line escaping of hostile names, reversible", line_escaping },
	{ "error messages are one line whatever the input they quote holds", errors_are_one_line },
	{ NULL, NULL }
};
