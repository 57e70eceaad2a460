#include <ccgov/buffer.h>
#include <ccgov/error.h>
#include <ccgov/file.h>
#include <ccgov/interrupt.h>
#include <ccgov/layer.h>
#include <ccgov/path.h>
#include <ccgov/tar.h>
#include <ccgov/utf8.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
	char *dest;   /* path in the image, relative, normalized */
	char *source; /* path on disk; NULL for an implied parent folder */
	char *link;   /* symbolic link target */
	const char *hardlink; /* dest of the first entry with the same inode */
	mode_t type;
	mode_t mode;
	uint64_t size;
	int64_t mtime;
	dev_t dev;
	ino_t ino;
	nlink_t nlink;
} entry;

struct ccgov_fileset {
	entry *entries;
	size_t len, cap;
	size_t added;
};

#define MAX_DEPTH 256
#define READ_BLOCK (1u << 20)
#define WRITEBACK_STEP (16u << 20)

int ccgov_fileset_new(ccgov_fileset **out)
{
	if (!(*out = calloc(1, sizeof(**out))))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	return 0;
}

void ccgov_fileset_free(ccgov_fileset *fs)
{
	if (!fs)
		return;
	for (size_t i = 0; i < fs->len; i++) {
		free(fs->entries[i].dest);
		free(fs->entries[i].source);
		free(fs->entries[i].link);
	}
	free(fs->entries);
	free(fs);
}

size_t ccgov_fileset_count(const ccgov_fileset *fs)
{
	return fs->added;
}

static entry *push(ccgov_fileset *fs)
{
	if (fs->len == fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 256;
		entry *p = realloc(fs->entries, cap * sizeof(*p));

		if (!p)
			return NULL;
		fs->entries = p;
		fs->cap = cap;
	}
	memset(&fs->entries[fs->len], 0, sizeof(entry));
	return &fs->entries[fs->len++];
}

static int add_one(ccgov_fileset *fs, const char *source, const char *dest,
		   const struct stat *st, const char *shown_as)
{
	entry *e;

	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		return ccgov_error_set(CCGOV_EINVALID, "%s: device files are not allowed in an image", shown_as);
	if (S_ISSOCK(st->st_mode))
		return ccgov_error_set(CCGOV_EINVALID, "%s: sockets are not allowed in an image", shown_as);
	if (S_ISFIFO(st->st_mode))
		return ccgov_error_set(CCGOV_EINVALID, "%s: FIFOs are not allowed in an image", shown_as);
	if (S_ISREG(st->st_mode) && (uint64_t)st->st_size > CCGOV_LAYER_MAX_FILE)
		return ccgov_error_set(CCGOV_EINVALID, "%s: file is larger than 8 GiB", shown_as);
	if (!(e = push(fs)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	e->type = st->st_mode & S_IFMT;
	e->size = S_ISREG(st->st_mode) ? (uint64_t)st->st_size : 0;
	e->mtime = st->st_mtim.tv_sec;
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->nlink = st->st_nlink;
	/* Only "executable or not" survives: umask and chmod habits must not change the digest. */
	e->mode = S_ISDIR(st->st_mode) || S_ISLNK(st->st_mode) || (st->st_mode & 0111) ? 0755 : 0644;
	if (S_ISLNK(st->st_mode))
		e->mode = 0777;
	if (!(e->dest = strdup(dest)) || !(e->source = strdup(source)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if (S_ISLNK(st->st_mode)) {
		char target[4096];
		ssize_t n = readlink(source, target, sizeof(target) - 1);

		if (n < 0)
			return ccgov_error_set_errno(CCGOV_EIO, errno, "%s", shown_as);
		target[n] = '\0';
		if (!ccgov_utf8_valid(target, (size_t)n))
			return ccgov_error_set(CCGOV_EINVALID, "%s: link target %s is not valid UTF-8",
					       shown_as, target);
		if (!(e->link = strdup(target)))
			return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	fs->added++;
	return 0;
}

/*
 * Names in an image are UTF-8: the SBOM and provenance name files in JSON,
 * which cannot hold other bytes, and a name shown with U+FFFD in their place
 * would be another name. Control characters are refused as in a dest.
 */
static int check_name(const char *name, const char *shown_as)
{
	if (!ccgov_utf8_valid(name, strlen(name)))
		return ccgov_error_set(CCGOV_EINVALID, "%s: file name is not valid UTF-8", shown_as);
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return ccgov_error_set(CCGOV_EINVALID, "%s: file name contains a control character",
					       shown_as);
	return 0;
}

/*
 * A file found by lstat is opened without following a link and must be
 * the very file listed (device and inode): one swapped in after the walk
 * saw it, or a folder replaced by a link to another, is refused.
 */
static int same_as_listed(int fd, dev_t dev, ino_t ino, const char *shown)
{
	struct stat now;

	if (fstat(fd, &now) < 0)
		return ccgov_error_set_errno(CCGOV_EIO, errno, "%s", shown);
	if (now.st_dev != dev || now.st_ino != ino)
		return ccgov_error_set(CCGOV_EIO, "%s: replaced while being packed", shown);
	return 0;
}

static int walk(ccgov_fileset *fs, ccgov_buffer *src, ccgov_buffer *dst, ccgov_buffer *shown,
		int depth)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	int err;

	if (lstat(src->data, &st) < 0)
		return ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", shown->data);
	if ((err = add_one(fs, src->data, dst->data, &st, shown->data)) < 0 || !S_ISDIR(st.st_mode))
		return err;
	if (depth > MAX_DEPTH)
		return ccgov_error_set(CCGOV_EINVALID, "%s: folders nested deeper than %d levels",
				       shown->data, MAX_DEPTH);
	if ((err = ccgov_file_open_folder(&d, src->data, &st, shown->data)) < 0)
		return err;
	while (err == 0 && (errno = 0, de = readdir(d))) {
		size_t ls = src->len, ld = dst->len, lh = shown->len;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		ccgov_buffer_putc(src, '/');
		ccgov_buffer_puts(src, de->d_name);
		ccgov_buffer_putc(dst, '/');
		ccgov_buffer_puts(dst, de->d_name);
		ccgov_buffer_putc(shown, '/');
		ccgov_buffer_puts(shown, de->d_name);
		if ((err = ccgov_buffer_check(src)) < 0 || (err = ccgov_buffer_check(dst)) < 0 ||
		    (err = ccgov_buffer_check(shown)) < 0)
			break;
		if ((err = check_name(de->d_name, shown->data)) == 0)
			err = walk(fs, src, dst, shown, depth + 1);
		src->data[src->len = ls] = '\0';
		dst->data[dst->len = ld] = '\0';
		shown->data[shown->len = lh] = '\0';
	}
	if (err == 0 && errno)
		err = ccgov_error_set_errno(CCGOV_EIO, errno, "%s", shown->data);
	closedir(d);
	return err;
}

int ccgov_fileset_add(ccgov_fileset *fs, const char *source, const char *dest,
		      const char *shown_as)
{
	ccgov_buffer src = CCGOV_BUFFER_INIT, dst = CCGOV_BUFFER_INIT, shown = CCGOV_BUFFER_INIT;
	char *clean = NULL;
	int err;

	if ((err = ccgov_path_normalize(&clean, dest)) < 0)
		return err;
	ccgov_buffer_puts(&src, source);
	ccgov_buffer_puts(&dst, clean);
	ccgov_buffer_puts(&shown, shown_as);
	if ((err = ccgov_buffer_check(&src)) == 0 && (err = ccgov_buffer_check(&dst)) == 0 &&
	    (err = ccgov_buffer_check(&shown)) == 0)
		err = walk(fs, &src, &dst, &shown, 0);
	free(clean);
	ccgov_buffer_free(&src);
	ccgov_buffer_free(&dst);
	ccgov_buffer_free(&shown);
	return err;
}

/* ---- sorting, parents and hard links ---------------------------------- */

static int by_dest(const void *a, const void *b)
{
	return strcmp(((const entry *)a)->dest, ((const entry *)b)->dest);
}

static int by_inode(const void *a, const void *b)
{
	const entry *x = *(const entry *const *)a, *y = *(const entry *const *)b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return strcmp(x->dest, y->dest);
}

static int find_dest(const void *key, const void *e)
{
	return strcmp(key, ((const entry *)e)->dest);
}

/*
 * Every parent folder of every entry, as a 0755 folder, unless an output
 * provides it. The real entries are sorted first so each climb stops at the
 * first parent that exists; duplicates among implied folders go later.
 */
static int add_parents(ccgov_fileset *fs, int64_t epoch)
{
	size_t n = fs->len;

	qsort(fs->entries, n, sizeof(entry), by_dest);
	for (size_t i = 0; i < n; i++) {
		char *path = strdup(fs->entries[i].dest), *slash;

		if (!path)
			return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		while ((slash = strrchr(path, '/'))) {
			entry *e;

			*slash = '\0';
			if (bsearch(path, fs->entries, n, sizeof(entry), find_dest))
				break;
			if (!(e = push(fs)) || !(e->dest = strdup(path))) {
				free(path);
				return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
			}
			e->type = S_IFDIR;
			e->mode = 0755;
			e->mtime = epoch;
		}
		free(path);
	}
	return 0;
}

/*
 * After sorting: implied folders that repeat go; two real entries at one
 * path are an error. On the error, the entries not looked at yet move down
 * behind those kept, so that ccgov_fileset_free frees each name once.
 */
static int remove_duplicates(ccgov_fileset *fs)
{
	size_t out = 0, i;
	int err = 0;

	for (i = 0; i < fs->len; i++) {
		entry *e = &fs->entries[i];

		if (out > 0 && strcmp(fs->entries[out - 1].dest, e->dest) == 0) {
			entry *kept = &fs->entries[out - 1];

			if (kept->source && e->source) {
				err = ccgov_error_set(CCGOV_EINVALID, "%s: named by more than one output", e->dest);
				break;
			}
			if (e->source) { /* keep the real one */
				entry tmp = *kept;

				*kept = *e;
				*e = tmp;
			}
			free(e->dest);
			free(e->source);
			free(e->link);
			continue;
		}
		fs->entries[out++] = *e;
	}
	memmove(&fs->entries[out], &fs->entries[i], (fs->len - i) * sizeof(entry));
	fs->len = out + (fs->len - i);
	return err;
}

/*
 * A folder's entries must sit under a folder: under a file the tar makes no
 * sense, and under a link an unpacker would write wherever the link points.
 */
static int check_parents(const ccgov_fileset *fs)
{
	for (size_t i = 0; i < fs->len; i++) {
		const char *dest = fs->entries[i].dest, *slash = strrchr(dest, '/');
		char parent[4096];
		const entry *p;

		if (!slash)
			continue;
		if ((size_t)(slash - dest) >= sizeof(parent))
			return ccgov_error_set(CCGOV_EINVALID, "%.200s...: path too long", dest);
		memcpy(parent, dest, (size_t)(slash - dest));
		parent[slash - dest] = '\0';
		p = bsearch(parent, fs->entries, fs->len, sizeof(entry), find_dest);
		if (p && p->type != S_IFDIR)
			return ccgov_error_set(CCGOV_EUNSAFE, "%s: its parent %s is a %s, not a folder",
					       dest, parent, p->type == S_IFLNK ? "link" : "file");
	}
	return 0;
}

static int prepare(ccgov_fileset *fs, int64_t epoch)
{
	entry **byino;
	size_t n;
	int err;

	if ((err = add_parents(fs, epoch)) < 0)
		return err;
	qsort(fs->entries, fs->len, sizeof(entry), by_dest);
	if ((err = remove_duplicates(fs)) < 0 || (err = check_parents(fs)) < 0)
		return err;
	/* Hard links: the first name in sorted order carries the data, the rest point to it. */
	if (!(byino = malloc((fs->len + 1) * sizeof(*byino))))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	n = 0;
	for (size_t i = 0; i < fs->len; i++)
		if (fs->entries[i].type == S_IFREG && fs->entries[i].nlink > 1)
			byino[n++] = &fs->entries[i];
	qsort(byino, n, sizeof(*byino), by_inode);
	for (size_t i = 1; i < n; i++) {
		entry *first = byino[i - 1]->hardlink ? NULL : byino[i - 1];

		if (byino[i]->dev == byino[i - 1]->dev && byino[i]->ino == byino[i - 1]->ino)
			byino[i]->hardlink = first ? first->dest : byino[i - 1]->hardlink;
	}
	free(byino);
	return 0;
}

/* ---- writing ------------------------------------------------------------ */

typedef struct {
	ccgov_hasher *tar_hash, *blob_hash;
	ccgov_compressor *compressor;
	int fd;
	int blob_is_tar; /* no compression: one digest serves both */
	uint64_t tar_size, blob_size, synced;
} stream;

static int write_out(void *ctx, const void *data, size_t len)
{
	stream *st = ctx;
	const char *p = data;

	st->blob_size += len;
	if (!st->blob_is_tar)
		ccgov_hasher_update(st->blob_hash, data, len);
	if (ccgov_file_write_all(st->fd, p, len) < 0)
		return ccgov_error_set_errno(CCGOV_EIO, errno, "layer: write");
	/*
	 * Start writeback as we go: the fsync at commit then waits for the last
	 * few MiB instead of the whole layer. Advisory; failure changes nothing.
	 */
	if (st->blob_size - st->synced >= WRITEBACK_STEP) {
		sync_file_range(st->fd, (off64_t)st->synced, (off64_t)(st->blob_size - st->synced),
				SYNC_FILE_RANGE_WRITE);
		st->synced = st->blob_size;
	}
	return 0;
}

/* Tar bytes: hashed as the diff_id, then compressed into the blob. */
static int tar_bytes(stream *st, const void *data, size_t len)
{
	st->tar_size += len;
	ccgov_hasher_update(st->tar_hash, data, len);
	return ccgov_compressor_write(st->compressor, data, len);
}

static int write_zeros(stream *st, size_t len)
{
	static const unsigned char zeros[CCGOV_TAR_TRAILER];

	return tar_bytes(st, zeros, len);
}

static int write_contents(stream *st, const entry *e, unsigned char *buf)
{
	uint64_t left = e->size;
	int fd = open(e->source, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), err = 0;

	if (fd < 0)
		return ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", e->dest);
	if ((err = same_as_listed(fd, e->dev, e->ino, e->dest)) < 0)
		left = 0;
	while (left > 0) {
		ssize_t n = read(fd, buf, left < READ_BLOCK ? (size_t)left : READ_BLOCK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = ccgov_error_set_errno(CCGOV_EIO, errno, "%s: read", e->dest);
			break;
		}
		if (n == 0) {
			err = ccgov_error_set(CCGOV_EIO, "%s: file shrank while being packed", e->dest);
			break;
		}
		/* A signal stops packing within one block, however large the file. */
		if ((err = tar_bytes(st, buf, (size_t)n)) < 0 || (err = ccgov_interrupt_check()) < 0)
			break;
		left -= (uint64_t)n;
	}
	if (err == 0 && read(fd, buf, 1) > 0)
		err = ccgov_error_set(CCGOV_EIO, "%s: file grew while being packed", e->dest);
	close(fd);
	return err == 0 ? write_zeros(st, ccgov_tar_padding(e->size)) : err;
}

static void describe(ccgov_tar_entry *t, const entry *e, int64_t epoch)
{
	memset(t, 0, sizeof(*t));
	t->path = e->dest;
	t->mode = e->mode;
	t->mtime = e->mtime < epoch ? e->mtime : epoch;
	if (e->hardlink) {
		t->type = CCGOV_TAR_HARDLINK;
		t->link = e->hardlink;
	} else if (e->type == S_IFLNK) {
		t->type = CCGOV_TAR_SYMLINK;
		t->link = e->link;
	} else if (e->type == S_IFDIR) {
		t->type = CCGOV_TAR_DIR;
	} else {
		t->type = CCGOV_TAR_FILE;
		t->size = e->size;
	}
}

static int write_entry(stream *st, ccgov_buffer *header, const entry *e, int64_t epoch,
		       unsigned char *buf)
{
	ccgov_tar_entry t;
	int err;

	describe(&t, e, epoch);
	header->len = 0;
	if ((err = ccgov_tar_header(header, &t)) < 0 ||
	    (err = tar_bytes(st, header->data, header->len)) < 0)
		return err;
	if (t.type == CCGOV_TAR_FILE && t.size > 0)
		err = write_contents(st, e, buf);
	return err;
}

const char *ccgov_layer_media_type(ccgov_compression compression)
{
	switch (compression) {
	case CCGOV_COMPRESS_GZIP:
		return "application/vnd.oci.image.layer.v1.tar+gzip";
	case CCGOV_COMPRESS_ZSTD:
		return "application/vnd.oci.image.layer.v1.tar+zstd";
	default:
		return "application/vnd.oci.image.layer.v1.tar";
	}
}

int ccgov_layer_write(ccgov_layer *out, ccgov_fileset *fs, int fd,
		      ccgov_compression compression, int threads, int64_t epoch)
{
	stream st = { .fd = fd, .blob_is_tar = compression == CCGOV_COMPRESS_NONE };
	ccgov_buffer header = CCGOV_BUFFER_INIT;
	unsigned char *buf = NULL;
	int err;

	memset(out, 0, sizeof(*out));
	if (fs->added == 0)
		return ccgov_error_set(CCGOV_EINVALID, "outputs: nothing to pack, the image would be empty");
	if ((err = prepare(fs, epoch)) < 0)
		return err;
	if ((err = ccgov_hasher_new(&st.tar_hash, CCGOV_SHA256)) < 0 ||
	    (err = ccgov_hasher_new(&st.blob_hash, CCGOV_SHA256)) < 0 ||
	    (err = ccgov_compressor_new(&st.compressor, compression, threads, write_out, &st)) < 0)
		goto done;
	if (!(buf = malloc(READ_BLOCK))) {
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < fs->len && err == 0; i++)
		if ((err = ccgov_interrupt_check()) == 0)
			err = write_entry(&st, &header, &fs->entries[i], epoch, buf);
	if (err == 0 && (err = write_zeros(&st, CCGOV_TAR_TRAILER)) == 0)
		err = ccgov_compressor_finish(st.compressor);
	if (err == 0 && (err = ccgov_hasher_final(&out->diff_id, st.tar_hash)) == 0 &&
	    (err = ccgov_hasher_final(&out->blob, st.blob_hash)) == 0) {
		if (st.blob_is_tar)
			out->blob = out->diff_id;
		out->blob_size = st.blob_size;
		out->tar_size = st.tar_size;
		out->media_type = ccgov_layer_media_type(compression);
	}
done:
	ccgov_buffer_free(&header);
	free(buf);
	ccgov_compressor_free(st.compressor);
	ccgov_hasher_free(st.tar_hash);
	ccgov_hasher_free(st.blob_hash);
	return err;
}
