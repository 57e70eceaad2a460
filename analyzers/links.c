/*
 * Symbolic links in the scanned tree. A compiler that builds the tree
 * follows them, so the scan does too, but only as far as the tree goes:
 * a link is resolved one name at a time beneath the root, as realpath()
 * resolves it, never by the kernel from a string, and a link that leaves
 * the root, points to nothing or loops is named, never followed.
 */
#include "engine.h"

#include <ccgov/buffer.h>
#include <ccgov/error.h>
#include <ccgov/utf8.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Linux's MAXSYMLINKS: past this many links in one path the kernel says ELOOP. */
#define MAX_LINKS 40

/* Where a resolution stands: the names done and those to go. */
typedef struct {
	ccgov_buffer done; /* from the root, no link on the way; "" is the root */
	ccgov_buffer pending; /* names still to resolve, '/' apart */
	size_t at;         /* the next name in pending */
	struct { dev_t dev; ino_t ino; } links[MAX_LINKS]; /* the links met so far */
	size_t nlinks;
} resolution;

/* 1 if path (absolute) names the root or a place beneath it, by the root's real path. */
static int names_beneath(const char *root_real, const char *path)
{
	size_t n = strlen(root_real);

	if (strcmp(root_real, "/") == 0)
		return 1;
	return strncmp(root_real, path, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* Where the resolution ended short of a place in the tree; 1, "ended". */
static int set_end(link_resolution *out, link_end end, int error)
{
	out->end = end;
	out->error = error;
	return 1;
}

/* Records what the link at done holds; the first link is the one resolved. */
static int note_link(link_resolution *out, const char *at, const char *target, size_t nlinks)
{
	if (nlinks == 1)
		return (out->target = strdup(target)) ? 0 : ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	free(out->via);
	free(out->via_target);
	out->via = strdup(at);
	out->via_target = strdup(target);
	return out->via && out->via_target ? 0 : ccgov_error_set(CCGOV_ENOMEM, "out of memory");
}

/*
 * Replaces the name just met (a link, at the end of done) by its target:
 * the rest of pending is resolved from the link's folder, or from the root
 * when the target names the root by its real path. 1 if the target leaves.
 */
static int splice_target(resolution *r, const char *target, size_t name_len, const char *root_real)
{
	ccgov_buffer next = CCGOV_BUFFER_INIT;
	const char *from = target;

	r->done.len -= name_len + (r->done.len > name_len);
	r->done.data[r->done.len] = '\0';
	if (target[0] == '/') {
		if (!names_beneath(root_real, target))
			return 1;
		from = strcmp(root_real, "/") == 0 ? target : target + strlen(root_real);
		r->done.len = 0;
		r->done.data[0] = '\0';
	}
	ccgov_buffer_puts(&next, from);
	ccgov_buffer_putc(&next, '/');
	ccgov_buffer_puts(&next, r->pending.data + r->at);
	if (ccgov_buffer_check(&next) < 0)
		return CCGOV_ENOMEM;
	ccgov_buffer_free(&r->pending);
	r->pending = next;
	r->at = 0;
	return 0;
}

/* 1 if this link was met before in the same resolution. */
static int met_before(const resolution *r, const struct stat *st)
{
	for (size_t i = 0; i < r->nlinks; i++)
		if (r->links[i].dev == st->st_dev && r->links[i].ino == st->st_ino)
			return 1;
	return 0;
}

/* Follows the link at done (st is its lstat): 0 to go on, 1 if it ended there. */
static int follow(link_resolution *out, resolution *r, int rootfd, const char *root_real,
		  const struct stat *st, size_t name_len)
{
	char target[PATH_MAX + 1];
	ssize_t n;
	int err;

	if (met_before(r, st))
		return set_end(out, LINK_LOOPS, 0);
	if (r->nlinks == MAX_LINKS)
		return set_end(out, LINK_TOO_MANY, 0);
	r->links[r->nlinks].dev = st->st_dev;
	r->links[r->nlinks++].ino = st->st_ino;
	if ((n = readlinkat(rootfd, r->done.data, target, sizeof(target) - 1)) < 0)
		return set_end(out, LINK_UNREADABLE, errno);
	target[n] = '\0';
	if ((err = note_link(out, r->done.data, target, r->nlinks)) < 0)
		return err;
	if ((err = splice_target(r, target, name_len, root_real)) < 0)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	return err ? set_end(out, LINK_LEAVES, 0) : 0;
}

/* ".." from done: up one folder (0), or out of the tree from the root (1, ended). */
static int go_up(link_resolution *out, resolution *r, int is_dir)
{
	char *slash;

	if (!is_dir)
		return set_end(out, LINK_DANGLES, ENOTDIR);
	if (r->done.len == 0)
		return set_end(out, LINK_LEAVES, 0);
	slash = strrchr(r->done.data, '/');
	r->done.len = slash ? (size_t)(slash - r->done.data) : 0;
	r->done.data[r->done.len] = '\0';
	return 0;
}

/* Resolves pending name by name: 0 with done the real place, or 1 with the end set in out. */
static int resolve_names(link_resolution *out, resolution *r, int rootfd, const char *root_real)
{
	int is_dir = 1, err = 0;
	struct stat st;

	while (err == 0 && r->at < r->pending.len) {
		const char *name = r->pending.data + r->at;
		size_t n = strcspn(name, "/");

		r->at += n + (name[n] == '/');
		if (n == 0 || (n == 1 && name[0] == '.'))
			continue;
		if (n == 2 && name[0] == '.' && name[1] == '.') {
			err = go_up(out, r, is_dir);
			continue;
		}
		if (r->done.len)
			ccgov_buffer_putc(&r->done, '/');
		ccgov_buffer_append(&r->done, name, n);
		if ((err = ccgov_buffer_check(&r->done)) < 0)
			break;
		if (fstatat(rootfd, r->done.data, &st, AT_SYMLINK_NOFOLLOW) < 0)
			err = set_end(out, errno == ENOENT || errno == ENOTDIR ? LINK_DANGLES : LINK_UNREADABLE, errno);
		else if (S_ISLNK(st.st_mode))
			err = follow(out, r, rootfd, root_real, &st, n);
		else
			is_dir = S_ISDIR(st.st_mode);
	}
	return err;
}

/* 1 if the folder at real holds the place rel: a link there to it would walk into itself. */
static int holds(const char *real, const char *rel)
{
	size_t n = strlen(real);

	return n == 0 || (strncmp(real, rel, n) == 0 && rel[n] == '/');
}

int link_resolve(link_resolution *out, int rootfd, const char *root_real, const char *rel)
{
	resolution r = { CCGOV_BUFFER_INIT, CCGOV_BUFFER_INIT, 0, { { 0, 0 } }, 0 };
	int err;

	memset(out, 0, sizeof(*out));
	ccgov_buffer_append(&r.done, "", 0);
	ccgov_buffer_puts(&r.pending, rel);
	if (ccgov_buffer_check(&r.done) < 0 || ccgov_buffer_check(&r.pending) < 0)
		err = CCGOV_ENOMEM;
	else
		err = resolve_names(out, &r, rootfd, root_real);
	/* A ".." after the last name: the place's own status, not its last name's. */
	if (err == 0 && fstatat(rootfd, r.done.len ? r.done.data : ".", &out->st, AT_SYMLINK_NOFOLLOW) < 0)
		err = set_end(out, LINK_DANGLES, errno);
	if (err == 0) {
		out->end = S_ISDIR(out->st.st_mode) && holds(r.done.data, rel) ? LINK_ENCLOSING : LINK_INSIDE;
		out->real = ccgov_buffer_detach(&r.done, NULL);
	}
	ccgov_buffer_free(&r.done);
	ccgov_buffer_free(&r.pending);
	if (err < 0)
		link_resolution_free(out);
	return err < 0 ? err : 0;
}

void link_resolution_free(link_resolution *r)
{
	free(r->real);
	free(r->target);
	free(r->via);
	free(r->via_target);
	memset(r, 0, sizeof(*r));
}

/* "T", or "T, then V -> VT" when a later link on the way is where it ended; escaped. */
static void put_chain(ccgov_buffer *b, const link_resolution *r)
{
	char *t = ccgov_utf8_escape(r->target ? r->target : "", r->target ? strlen(r->target) : 0);

	ccgov_buffer_printf(b, "(-> %s", t ? t : "?");
	free(t);
	if (r->via) {
		char *v = ccgov_utf8_escape(r->via, strlen(r->via));
		char *vt = ccgov_utf8_escape(r->via_target, strlen(r->via_target));

		ccgov_buffer_printf(b, ", then %s -> %s", v ? v : "?", vt ? vt : "?");
		free(v);
		free(vt);
	}
	ccgov_buffer_putc(b, ')');
}

/* text into out[size] (size > 4): whole, or cut between characters with "...", so it stays UTF-8. */
static void put_cut(char *out, size_t size, const char *text, size_t len)
{
	size_t n = size - 4;

	if (len < size) {
		memcpy(out, text, len + 1);
		return;
	}
	while (n && ((unsigned char)text[n] & 0xc0) == 0x80)
		n--;
	memcpy(out, text, n);
	memcpy(out + n, "...", 4);
}

ccgov_skip_kind link_skip_reason(char *why, size_t size, const link_resolution *r)
{
	ccgov_buffer b = CCGOV_BUFFER_INIT;
	ccgov_skip_kind kind = CCGOV_SKIP_SYMLINK;

	switch (r->end) {
	case LINK_LEAVES: ccgov_buffer_puts(&b, "symbolic link leaves the scanned tree "); break;
	case LINK_DANGLES: ccgov_buffer_puts(&b, "symbolic link points to nothing "); break;
	case LINK_LOOPS: ccgov_buffer_puts(&b, "symbolic link loops "); break;
	case LINK_TOO_MANY:
		ccgov_buffer_printf(&b, "symbolic link leads through more than %d links ", MAX_LINKS);
		break;
	case LINK_ENCLOSING: ccgov_buffer_puts(&b, "symbolic link loops: it points to a folder that holds it "); break;
	default:
		ccgov_buffer_printf(&b, "symbolic link cannot be followed: %s ", strerror(r->error));
		kind = CCGOV_SKIP_UNREADABLE;
		break;
	}
	put_chain(&b, r);
	if (b.failed)
		snprintf(why, size, "symbolic link not followed");
	else
		put_cut(why, size, b.data, b.len);
	ccgov_buffer_free(&b);
	return kind;
}
