/*
 * Reading an image's layers into the file system they make, learning
 * what each regular file's bytes say as they stream (see
 * ccgov/image_files.h).
 */
#include <ccgov/elf.h>
#include <ccgov/error.h>
#include <ccgov/image_files.h>
#include <ccgov/tar.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAX_PARSED_FILE CCGOV_IMAGE_MAX_PARSED_FILE
#define SPILL_OVER (16u << 20) /* a file larger than this waits in a temporary file, not in memory */
#define MAX_TEXT_FILE CCGOV_IMAGE_MAX_TEXT_FILE

void ccgov_file_facts_free(void *p)
{
	ccgov_file_facts *f = p;

	if (f->is_elf)
		ccgov_elf_info_free(&f->elf);
	free(f->elf_problem);
	free(f->text);
	free(f);
}

/* The texts read at the end, wherever the image's links make them appear. */
static int is_kept_text(const char *path)
{
	size_t n = strlen(path);

	return strcmp(path, "/var/lib/dpkg/status") == 0 || strcmp(path, "/lib/apk/db/installed") == 0 ||
	       strcmp(path, "/etc/os-release") == 0 ||
	       strcmp(path, "/usr/lib/os-release") == 0 || strcmp(path, "/etc/ld.so.conf") == 0 ||
	       (strncmp(path, "/etc/ld.so.conf.d/", 18) == 0 && n > 23 && strcmp(path + n - 5, ".conf") == 0 &&
		!strchr(path + 18, '/'));
}

static int learn(ccgov_file_facts *f, const char *file, const unsigned char *data, size_t len)
{
	if (ccgov_elf_is_elf(data, len)) {
		/* A file that only looks like ELF is still a file with a hash: warned about if it stays. */
		if (ccgov_elf_read(&f->elf, data, len, file) == 0)
			f->is_elf = 1;
		else if (!(f->elf_problem = strdup(ccgov_error_last()->message)))
			return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	if (is_kept_text(file) && len <= MAX_TEXT_FILE) {
		if (!(f->text = malloc(len + 1)))
			return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		memcpy(f->text, data, len);
		f->text[len] = '\0';
		f->text_len = len;
	}
	return 0;
}

/*
 * Where a file's bytes are kept while it streams, for learn(): in memory
 * up to SPILL_OVER, beyond that in an unnamed temporary file mapped for
 * reading once whole, so that a 200 MiB program costs what its headers
 * and the sections read cost, not 200 MiB of memory.
 */
typedef struct {
	unsigned char *mem;
	int fd;
	size_t used;
} kept_bytes;

static int keep_open(kept_bytes *k, uint64_t size)
{
	const char *tmp = getenv("TMPDIR");

	k->used = 0;
	k->fd = -1;
	k->mem = NULL;
	if (size <= SPILL_OVER)
		return (k->mem = malloc(size ? (size_t)size : 1)) ? 0 : ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if ((k->fd = open(tmp && tmp[0] == '/' ? tmp : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) < 0)
		return ccgov_error_set_errno(CCGOV_EIO, errno, "a temporary file in %s", tmp && tmp[0] == '/' ? tmp : "/tmp");
	return 0;
}

static int keep_bytes(kept_bytes *k, const unsigned char *data, size_t n)
{
	if (k->mem)
		memcpy(k->mem + k->used, data, n);
	else if (write(k->fd, data, n) != (ssize_t)n)
		return ccgov_error_set_errno(CCGOV_EIO, errno, "a temporary file");
	k->used += n;
	return 0;
}

static int keep_learn(kept_bytes *k, ccgov_file_facts *f, const char *file)
{
	void *map;
	int err;

	if (k->mem || !k->used)
		return learn(f, file, k->mem, k->used);
	if ((map = mmap(NULL, k->used, PROT_READ, MAP_PRIVATE, k->fd, 0)) == MAP_FAILED)
		return ccgov_error_set_errno(CCGOV_EIO, errno, "%s: mapping its bytes", file);
	err = learn(f, file, map, k->used);
	munmap(map, k->used);
	return err;
}

static void keep_close(kept_bytes *k)
{
	free(k->mem);
	if (k->fd >= 0)
		close(k->fd);
}

/* One regular file of a layer: hashed as it streams; kept whole while it is parsed. */
static int layer_file(ccgov_tar_reader *r, const ccgov_tar_member *m, const char *file, ccgov_rootfs_content *c)
{
	int keep = -1; /* not known until the first bytes say whether it is ELF */
	unsigned char chunk[65536];
	kept_bytes k = { NULL, -1, 0 };
	ccgov_hasher *hasher;
	ccgov_file_facts *f;
	long n;
	int err = 0;

	if (!(f = calloc(1, sizeof(*f))))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	c->facts = f;
	if (m->sparse) {
		f->sparse = 1; /* what is read is the sparse map and data, not the file */
		return 0;
	}
	if ((err = ccgov_hasher_new(&hasher, CCGOV_SHA256)) < 0)
		return err;
	while ((n = ccgov_tar_read(r, chunk, sizeof(chunk))) > 0) {
		if ((err = ccgov_hasher_update(hasher, chunk, (size_t)n)) < 0)
			break;
		/* Only what learn() reads is kept whole: an ELF file, or one of the texts. */
		if (keep < 0) {
			keep = m->size <= MAX_PARSED_FILE && (ccgov_elf_is_elf(chunk, (size_t)n) || is_kept_text(file));
			if (keep && (err = keep_open(&k, m->size)) < 0)
				break;
		}
		if (keep && k.used + (size_t)n <= (size_t)m->size && (err = keep_bytes(&k, chunk, (size_t)n)) < 0)
			break;
		c->size += (uint64_t)n;
	}
	if (err == 0)
		err = n < 0 ? ccgov_error_wrap("%s", file) : ccgov_hasher_final(&c->sha256, hasher);
	ccgov_hasher_free(hasher);
	c->hashed = err == 0;
	if (err == 0 && keep > 0)
		err = keep_learn(&k, f, file);
	keep_close(&k);
	return err;
}

/* The decompressed layer streams from the checked reader straight into the tar reader. */
int ccgov_image_files_read_layer(ccgov_rootfs *fs, ccgov_oci_reader *oci, size_t i, const char *blob,
				 const ccgov_layer_reading *how)
{
	ccgov_tar_reader *r = NULL;
	const ccgov_tar_member *m;
	int rc = 0, err;

	if ((err = ccgov_oci_layer_open(oci, i)) < 0)
		return err;
	if (how && how->copy_to && (err = ccgov_oci_layer_copy_to(oci, how->copy_to)) < 0) {
		ccgov_oci_layer_discard(oci);
		return err;
	}
	ccgov_rootfs_next_layer(fs);
	if ((err = ccgov_tar_reader_new(&r, ccgov_oci_layer_read, oci)) == 0) {
		while (err == 0 && (rc = ccgov_tar_next(r, &m)) == 1) {
			ccgov_rootfs_content *c;
			const char *landed;

			if (how && how->check && (err = how->check(how->ctx, fs, m, blob)) < 0)
				break;
			if ((err = ccgov_rootfs_apply(fs, m, blob, &c, &landed)) == 0 && c)
				err = layer_file(r, m, landed, c);
			if (err == 0 && c && how && how->landed)
				err = how->landed(how->ctx, landed);
		}
		if (err == 0 && rc < 0)
			err = ccgov_error_wrap("%s", blob);
	}
	ccgov_tar_reader_free(r);
	/* Whatever was learnt from the layer counts only once the layer proves to be the one named. */
	if (err == 0)
		err = ccgov_oci_layer_close(oci, NULL);
	else
		ccgov_oci_layer_discard(oci);
	return err;
}

int ccgov_image_files_read(ccgov_rootfs **out, const char *layout_dir, char digest[CCGOV_DIGEST_STRING_MAX],
			   cJSON **annotations)
{
	ccgov_oci_reader *oci;
	ccgov_rootfs *fs = NULL;
	const cJSON *a;
	int err;

	*out = NULL;
	if (annotations)
		*annotations = NULL;
	if ((err = ccgov_oci_open(&oci, layout_dir, NULL)) < 0)
		return err;
	ccgov_digest_string(digest, &ccgov_oci_image(oci)->manifest);
	if (annotations && (a = cJSON_GetObjectItemCaseSensitive(ccgov_oci_manifest(oci), "annotations")) &&
	    !(*annotations = cJSON_Duplicate(a, 1))) {
		ccgov_oci_close(oci);
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	err = ccgov_rootfs_new(&fs, ccgov_file_facts_free);
	for (size_t i = 0; i < ccgov_oci_layer_count(oci) && err == 0; i++) {
		char *where = NULL;

		if (asprintf(&where, "%s: layer %zu", layout_dir, i + 1) < 0)
			err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		else
			err = ccgov_image_files_read_layer(fs, oci, i, where, NULL);
		free(where);
	}
	ccgov_oci_close(oci);
	if (err < 0) {
		ccgov_rootfs_free(fs);
		if (annotations) {
			cJSON_Delete(*annotations);
			*annotations = NULL;
		}
	} else {
		*out = fs;
	}
	return err;
}
