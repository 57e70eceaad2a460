#include <ccgov/buffer.h>
#include <ccgov/error.h>
#include <ccgov/tar.h>
#include <ccgov/utf8.h>

#include <stdio.h>
#include <string.h>

/* Fields of a ustar header block: offset and size. */
#define NAME 0
#define NAME_SIZE 100
#define MODE 100
#define UID 108
#define GID 116
#define SIZE 124
#define MTIME 136
#define CHECKSUM 148
#define TYPEFLAG 156
#define LINKNAME 157
#define LINKNAME_SIZE 100
#define MAGIC 257
#define DEVMAJOR 329
#define DEVMINOR 337
#define PREFIX 345
#define PREFIX_SIZE 155

/* ustar stores times up to 2038 only: libarchive's cut-off, kept for its bytes. */
#define TIME_MAX 0x7fffffff
#define SIZE_PAX (1ULL << 33)
/* Room for a shortened name: a 155-byte prefix, its '/', 100 bytes and a NUL. */
#define SHORT_NAME 260

static int has_non_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
}

static void octal(char *field, int digits, uint64_t v)
{
	for (int i = digits - 1; i >= 0; i--, v >>= 3)
		field[i] = (char)('0' + (v & 7));
}

/*
 * A size or time field: octal in 11 digits and a space; a size in 12
 * digits over the space when that is not enough; else base-256 in the
 * field's width (also for a time before 1970), which GNU tar and star read
 * and pax readers need not, as a pax record then says it too.
 */
static void number(char *field, int64_t v, int width)
{
	if (v >= 0 && (uint64_t)v < (1ULL << 33)) {
		octal(field, 11, (uint64_t)v);
	} else if (v >= 0 && width == 12 && (uint64_t)v < (1ULL << 36)) {
		octal(field, 12, (uint64_t)v);
	} else {
		uint64_t u = (uint64_t)v;

		for (int i = width - 1; i >= 0; i--, u = v < 0 ? u >> 8 | 0xff00000000000000ULL : u >> 8)
			field[i] = (char)(u & 0xff);
		field[0] = (char)(field[0] | 0x80);
	}
}

/*
 * Where a name longer than 100 bytes splits into prefix and name: the first
 * '/' that leaves at most 100 bytes after it, not the first byte (an empty
 * prefix is not allowed) nor the last (nor an empty name), with at most 155
 * bytes before it. 0 when there is no such '/'.
 */
static size_t split_at(const char *s, size_t len)
{
	const char *p = strchr(s + len - NAME_SIZE - 1, '/');

	if (p == s)
		p = strchr(p + 1, '/');
	if (!p || p[1] == '\0' || (size_t)(p - s) > PREFIX_SIZE)
		return 0;
	return (size_t)(p - s);
}

static int fits_ustar(const char *s, size_t len)
{
	return len <= NAME_SIZE || split_at(s, len) > 0;
}

/*
 * The stand-in a ustar block carries for a name that only a pax record can
 * hold: its leading folders up to 155 bytes, as many following folders as
 * fit, insert (if any) as one more folder, and the start of the file name,
 * so that the rest fits 98 bytes. libarchive's build_ustar_entry_name, step
 * for step (with its 2025 overflow fix, which Debian 12's 3.6.2 carries),
 * for the same bytes.
 */
static void short_name(char dest[SHORT_NAME], const char *src, size_t len, const char *insert)
{
	const char *prefix = src, *prefix_end, *suffix, *suffix_end, *filename, *filename_end;
	size_t insert_len = insert ? strlen(insert) + 2 : 0, suffix_len = 98;
	int slash = 0;
	char *p = dest;

	if (len < 100 && !insert) {
		memcpy(dest, src, len);
		dest[len] = '\0';
		return;
	}
	/* The file name, without trailing "/" and "/." (a folder keeps one '/'). */
	filename_end = src + len;
	for (;;) {
		if (filename_end > src && filename_end[-1] == '/') {
			filename_end--;
			slash = 1;
		} else if (filename_end > src + 1 && filename_end[-1] == '.' && filename_end[-2] == '/') {
			filename_end -= 2;
			slash = 1;
		} else {
			break;
		}
	}
	if (slash)
		suffix_len--;
	filename = filename_end - 1;
	while (filename > src && *filename != '/')
		filename--;
	if (*filename == '/' && filename < filename_end - 1)
		filename++;
	suffix_len -= insert_len;
	if (filename_end > filename + suffix_len)
		filename_end = filename + suffix_len;
	suffix_len -= (size_t)(filename_end - filename);
	/* The prefix: whole folders within 155 bytes, with their '/'. */
	prefix_end = prefix + PREFIX_SIZE - 1;
	if (prefix_end > filename)
		prefix_end = filename;
	while (prefix_end > prefix && *prefix_end != '/')
		prefix_end--;
	if (prefix_end < filename && *prefix_end == '/')
		prefix_end++;
	/* Then whole folders within what is left of the 99 bytes. */
	suffix = prefix_end;
	suffix_end = suffix + suffix_len;
	if (suffix_end > filename)
		suffix_end = filename;
	if (suffix_end < suffix)
		suffix_end = suffix;
	while (suffix_end > suffix && *suffix_end != '/')
		suffix_end--;
	if (suffix_end < filename && *suffix_end == '/')
		suffix_end++;
	memcpy(p, prefix, (size_t)(prefix_end - prefix));
	p += prefix_end - prefix;
	memcpy(p, suffix, (size_t)(suffix_end - suffix));
	p += suffix_end - suffix;
	if (insert) {
		memcpy(p, insert, insert_len - 2);
		p += insert_len - 2;
		*p++ = '/';
	}
	memcpy(p, filename, (size_t)(filename_end - filename));
	p += filename_end - filename;
	if (slash)
		*p++ = '/';
	*p = '\0';
}

/* The name of the pax header block: "DIR/PaxHeader/NAME", as libarchive names it. */
static void pax_header_name(char dest[SHORT_NAME], const char *src)
{
	const char *p = src + strlen(src);

	for (;;) {
		if (p > src && p[-1] == '/')
			p--;
		else if (p > src + 1 && p[-1] == '.' && p[-2] == '/')
			p--;
		else
			break;
	}
	if (p == src)
		strcpy(dest, "/PaxHeader/rootdir");
	else if (*src == '.' && p == src + 1)
		strcpy(dest, "PaxHeader/currentdir");
	else
		short_name(dest, src, (size_t)(p - src), "PaxHeader");
}

/* "LEN key=value\n", where LEN counts every byte of the record, its own digits too. */
static void pax_record(ccgov_buffer *pax, const char *key, const char *value, size_t vlen)
{
	size_t len = strlen(key) + vlen + 3, digits = 0, next_ten = 1;

	for (size_t i = len; i > 0; i /= 10) {
		digits++;
		next_ten *= 10;
	}
	if (len + digits >= next_ten)
		digits++;
	ccgov_buffer_printf(pax, "%zu %s=", len + digits, key);
	ccgov_buffer_append(pax, value, vlen);
	ccgov_buffer_putc(pax, '\n');
}

static void pax_number(ccgov_buffer *pax, const char *key, int64_t v)
{
	char text[24];
	int n = snprintf(text, sizeof(text), "%lld", (long long)v);

	pax_record(pax, key, text, (size_t)n);
}

/* A ustar block for name, with the checksum that makes it valid. */
static void ustar_block(char h[CCGOV_TAR_BLOCK], const char *name, const char *link, char type,
			unsigned mode, int64_t mtime, uint64_t size)
{
	size_t len = strlen(name), at;
	unsigned sum = 0;

	memset(h, 0, CCGOV_TAR_BLOCK);
	memcpy(h + MODE, "000000 ", 7);
	memcpy(h + UID, "000000 ", 7);
	memcpy(h + GID, "000000 ", 7);
	memcpy(h + SIZE, "00000000000 ", 12);
	memcpy(h + MTIME, "00000000000 ", 12);
	memset(h + CHECKSUM, ' ', 8);
	memcpy(h + MAGIC, "ustar\0" "00", 8);
	memcpy(h + DEVMAJOR, "000000 ", 7);
	memcpy(h + DEVMINOR, "000000 ", 7);
	if (len <= NAME_SIZE) {
		memcpy(h + NAME, name, len);
	} else if ((at = split_at(name, len)) > 0) {
		memcpy(h + PREFIX, name, at);
		memcpy(h + NAME, name + at + 1, len - at - 1);
	} /* else the name stays empty, as libarchive leaves it: the pax record names the entry */
	if (link)
		memcpy(h + LINKNAME, link, strnlen(link, LINKNAME_SIZE));
	octal(h + MODE, 6, mode & 0777);
	number(h + SIZE, (int64_t)size, 12);
	number(h + MTIME, mtime, 11);
	h[TYPEFLAG] = type;
	for (int i = 0; i < CCGOV_TAR_BLOCK; i++)
		sum += (unsigned char)h[i];
	octal(h + CHECKSUM, 6, sum);
	h[CHECKSUM + 6] = '\0';
}

static int check_name(const char *what, const char *name, const char *path)
{
	size_t len = strlen(name);

	if (len == 0)
		return ccgov_error_set(CCGOV_EINVALID, "%s: empty %s", path, what);
	if (len > CCGOV_TAR_NAME_MAX)
		return ccgov_error_set(CCGOV_EINVALID, "%.200s...: %s longer than %d bytes", path,
				       what, CCGOV_TAR_NAME_MAX);
	if (!ccgov_utf8_valid(name, len))
		return ccgov_error_set(CCGOV_EINVALID, "%s: %s is not valid UTF-8", path, what);
	return 0;
}

/* Only names that stay inside the folder they are unpacked in: "a/b", never "/a", "a//b", "../a" or "a/". */
static int check_path(const char *path)
{
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return ccgov_error_set(CCGOV_EUNSAFE, "%s: not a normalized relative path", path);
		p += n;
		if (*p == '/' && *++p == '\0')
			return ccgov_error_set(CCGOV_EUNSAFE, "%s: not a normalized relative path", path);
	}
	return 0;
}

static int check_entry(const ccgov_tar_entry *e)
{
	int is_link = e->type == CCGOV_TAR_HARDLINK || e->type == CCGOV_TAR_SYMLINK;
	int err;

	if (!e->path)
		return ccgov_error_set(CCGOV_EINVALID, "tar: entry without a name");
	if ((err = check_name("name", e->path, e->path)) < 0 || (err = check_path(e->path)) < 0)
		return err;
	if (e->type != CCGOV_TAR_FILE && e->type != CCGOV_TAR_DIR && !is_link)
		return ccgov_error_set(CCGOV_EINVALID, "%s: unknown tar entry type", e->path);
	if (is_link != (e->link != NULL))
		return ccgov_error_set(CCGOV_EINVALID, "%s: %s", e->path,
				       is_link ? "link without a target" : "target on an entry that is no link");
	if (is_link && (err = check_name("link target", e->link, e->path)) < 0)
		return err;
	return e->type == CCGOV_TAR_HARDLINK ? check_path(e->link) : 0;
}

int ccgov_tar_header(ccgov_buffer *out, const ccgov_tar_entry *e)
{
	ccgov_buffer path = CCGOV_BUFFER_INIT, pax = CCGOV_BUFFER_INIT;
	char name[SHORT_NAME], block[CCGOV_TAR_BLOCK];
	const char *link = e->link;
	uint64_t size = e->type == CCGOV_TAR_FILE ? e->size : 0;
	int err;

	if ((err = check_entry(e)) < 0)
		return err;
	ccgov_buffer_puts(&path, e->path);
	if (e->type == CCGOV_TAR_DIR)
		ccgov_buffer_putc(&path, '/');
	if ((err = ccgov_buffer_check(&path)) < 0)
		return err;
	if (has_non_ascii(path.data) || !fits_ustar(path.data, path.len)) {
		pax_record(&pax, "path", path.data, path.len);
		short_name(name, path.data, path.len, NULL);
	} else {
		memcpy(name, path.data, path.len + 1);
	}
	if (link && (strlen(link) > LINKNAME_SIZE || has_non_ascii(link))) {
		pax_record(&pax, "linkpath", link, strlen(link));
		if (strlen(link) > LINKNAME_SIZE)
			link = e->type == CCGOV_TAR_HARDLINK ? "././@LongHardLink" : "././@LongSymLink";
	}
	if (e->mtime < 0 || e->mtime >= TIME_MAX)
		pax_number(&pax, "mtime", e->mtime);
	if (size >= SIZE_PAX)
		pax_number(&pax, "size", (int64_t)size);
	if (pax.len > 0) {
		char pax_name[SHORT_NAME];
		int64_t t = e->mtime < 0 ? 0 : e->mtime > TIME_MAX ? TIME_MAX : e->mtime;

		pax_header_name(pax_name, name);
		ustar_block(block, pax_name, NULL, 'x', e->mode, t, pax.len);
		ccgov_buffer_append(out, block, sizeof(block));
		ccgov_buffer_append(out, pax.data, pax.len);
		ccgov_buffer_append(out, (char[CCGOV_TAR_BLOCK]){ 0 }, ccgov_tar_padding(pax.len));
	}
	ustar_block(block, name, link, (char)e->type, e->mode, e->mtime, size);
	ccgov_buffer_append(out, block, sizeof(block));
	ccgov_buffer_free(&path);
	err = ccgov_buffer_check(&pax);
	ccgov_buffer_free(&pax);
	return err < 0 ? err : ccgov_buffer_check(out);
}

size_t ccgov_tar_padding(uint64_t size)
{
	return (size_t)(-size & (CCGOV_TAR_BLOCK - 1));
}
