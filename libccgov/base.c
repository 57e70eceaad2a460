/*
 * Base images named by digest (see ccgov/base.h): the reference, and the
 * layout or archive it names opened at that digest.
 */
#include <ccgov/base.h>
#include <ccgov/error.h>
#include <ccgov/path.h>
#include <ccgov/tar.h>
#include <ccgov/utf8.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HOW_TO_PIN "oci:PATH@sha256:DIGEST or oci-archive:FILE@sha256:DIGEST"

static int refuse(const char *text, const char *why)
{
	char *shown = ccgov_utf8_escape(text, strlen(text));
	int err = ccgov_error_set(CCGOV_EINVALID, "base '%s': %s", shown ? shown : "?", why);

	free(shown);
	return err;
}

int ccgov_base_ref_parse(ccgov_base_ref *out, const char *text)
{
	const char *rest, *at;

	memset(out, 0, sizeof(*out));
	/* It is named in messages, the provenance and an annotation: text only. */
	if (!ccgov_utf8_valid(text, strlen(text)))
		return refuse(text, "not UTF-8 text");
	for (const char *c = text; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return refuse(text, "holds a control character");
	if (strncmp(text, "oci:", 4) == 0) {
		rest = text + 4;
	} else if (strncmp(text, "oci-archive:", 12) == 0) {
		rest = text + 12;
		out->archive = 1;
	} else {
		return refuse(text, "not " HOW_TO_PIN "; ccgov never pulls an image: copy it first, as "
				    "skopeo copy docker://debian@sha256:DIGEST oci:base does");
	}
	if (!(at = strrchr(rest, '@')))
		return refuse(text, "no digest: a tag can name another image tomorrow, so a base is taken only by "
				    "digest, " HOW_TO_PIN " (skopeo inspect shows it)");
	if (at == rest)
		return refuse(text, "no path before the digest");
	if (ccgov_digest_parse(&out->digest, at + 1) < 0 || out->digest.alg != CCGOV_SHA256)
		return refuse(text, "the digest is not sha256: and 64 hex digits");
	if (!(out->written = strdup(text)) || !(out->path = strndup(rest, (size_t)(at - rest)))) {
		ccgov_base_ref_clear(out);
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	return 0;
}

void ccgov_base_ref_clear(ccgov_base_ref *ref)
{
	free(ref->written);
	free(ref->path);
	memset(ref, 0, sizeof(*ref));
}

int ccgov_platform_check(const char *platform)
{
	int parts = 1;

	for (const char *p = platform; *p; p++) {
		if (*p == '/' && p > platform && p[-1] != '/' && p[1])
			parts++;
		else if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789._-", *p))
			parts = 0;
		if (!parts)
			break;
	}
	if (parts < 2 || parts > 3)
		return ccgov_error_set(CCGOV_EINVALID, "platform '%.80s' is not os/architecture[/variant], as linux/amd64 "
				       "or linux/arm64/v8", platform);
	return 0;
}

/* ---- an OCI archive, unpacked ----------------------------------------- */

static long read_archive(void *ctx, void *buf, size_t len)
{
	int fd = *(int *)ctx;
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? ccgov_error_set_errno(CCGOV_EIO, errno, "read") : (long)n;
}

/* "oci-layout", "index.json", "blobs/sha256/<64 hex>": the only files a layout needs. */
static int layout_file(const char *name)
{
	const char *hex = name + strlen("blobs/sha256/");

	if (strcmp(name, "oci-layout") == 0 || strcmp(name, "index.json") == 0)
		return 1;
	return strncmp(name, "blobs/sha256/", strlen("blobs/sha256/")) == 0 && strlen(hex) == 64 &&
	       strspn(hex, "0123456789abcdef") == 64;
}

static int copy_member(ccgov_tar_reader *r, int dirfd, const char *name, const char *archive)
{
	char buf[1 << 16];
	long n;
	int fd, err = 0;

	/* Fixed names, made new: a member named twice, or a link planted meanwhile, is refused. */
	if ((fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0)
		return ccgov_error_set_errno(errno == EEXIST ? CCGOV_EINVALID : CCGOV_EIO, errno,
					     errno == EEXIST ? "%s: member %s appears twice" : "%s: %s", archive, name);
	while (err == 0 && (n = ccgov_tar_read(r, buf, sizeof(buf))) != 0) {
		if (n < 0)
			err = ccgov_error_wrap("%s", archive);
		else if (write(fd, buf, (size_t)n) != n)
			err = ccgov_error_set_errno(CCGOV_EIO, errno, "%s: writing %s", archive, name);
	}
	if (close(fd) < 0 && err == 0)
		err = ccgov_error_set_errno(CCGOV_EIO, errno, "%s: writing %s", archive, name);
	return err;
}

static int unpack_member(ccgov_tar_reader *r, const ccgov_tar_member *m, int dirfd, const char *archive)
{
	char name[128];
	size_t n;
	const char *p = m->path;

	while (p[0] == '.' && p[1] == '/')
		p += 2;
	n = strlen(p);
	while (n && p[n - 1] == '/')
		n--;
	if (n >= sizeof(name))
		return ccgov_error_set(CCGOV_EINVALID, "%s: member %.100s... is not part of an OCI image layout", archive, p);
	memcpy(name, p, n);
	name[n] = '\0';
	if (m->type == CCGOV_TAR_DIR) {
		if (strcmp(name, "") != 0 && strcmp(name, ".") != 0 && strcmp(name, "blobs") != 0 &&
		    strcmp(name, "blobs/sha256") != 0)
			return ccgov_error_set(CCGOV_EINVALID, "%s: folder %s is not part of an OCI image layout", archive,
					       name);
		return 0;
	}
	if (!layout_file(name))
		return ccgov_error_set(CCGOV_EINVALID, "%s: member %s is not part of an OCI image layout (oci-layout, "
				       "index.json, blobs/sha256/HEX)", archive, name);
	if (m->type != CCGOV_TAR_FILE && m->type != '\0')
		return ccgov_error_set(CCGOV_EINVALID, "%s: member %s is not a regular file", archive, name);
	return copy_member(r, dirfd, name, archive);
}

static int unpack_archive(const char *archive, const char *scratch)
{
	ccgov_tar_reader *r = NULL;
	const ccgov_tar_member *m;
	int fd = open(archive, O_RDONLY | O_CLOEXEC), dirfd = -1, rc = 0, err;

	if (fd < 0)
		return ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", archive);
	if ((dirfd = open(scratch, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (mkdirat(dirfd, "blobs", 0755) < 0 && errno != EEXIST) ||
	    (mkdirat(dirfd, "blobs/sha256", 0755) < 0 && errno != EEXIST))
		err = ccgov_error_set_errno(CCGOV_EIO, errno, "%s", scratch);
	else if ((err = ccgov_tar_reader_new(&r, read_archive, &fd)) == 0) {
		while (err == 0 && (rc = ccgov_tar_next(r, &m)) == 1)
			err = unpack_member(r, m, dirfd, archive);
		if (err == 0 && rc < 0)
			err = ccgov_error_wrap("%s", archive);
	}
	ccgov_tar_reader_free(r);
	if (dirfd >= 0)
		close(dirfd);
	close(fd);
	return err;
}

int ccgov_base_open(ccgov_oci_reader **out, const ccgov_base_ref *ref, const char *relative_to,
		    const char *platform, const char *scratch)
{
	char *path = ref->path[0] == '/' || !relative_to ? strdup(ref->path) : ccgov_path_join(relative_to, ref->path);
	int err;

	*out = NULL;
	if (!path)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if (ref->archive && (err = unpack_archive(path, scratch)) < 0)
		goto done;
	err = ccgov_oci_open_pinned(out, ref->archive ? scratch : path, &ref->digest, platform);
done:
	if (err < 0 && !strstr(ccgov_error_last()->message, ref->written))
		err = ccgov_error_wrap("base %s", ref->written);
	free(path);
	return err;
}
