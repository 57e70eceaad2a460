/* Layers and OCI layouts: determinism, and a reader that catches every lie. */
#include "unit.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* A small output tree: a file, an executable, a link, a hard link, a folder. */
static void make_outputs(char *dir, size_t size)
{
	char *out;

	snprintf(dir, size, "%s/outputs", unit_tmpdir());
	out = unit_run("set -e; mkdir -p '%s/bin' '%s/share/doc' && cd '%s' && "
		       "printf 'data' > share/doc/README && "
		       "head -c 3000000 /dev/urandom > share/blob && "
		       "printf '#!/bin/sh\\n' > bin/tool && chmod 700 bin/tool && "
		       "ln -s tool bin/alias && ln bin/tool bin/hard && echo ok", dir, dir, dir);
	free(out);
}

static int pack(ccgov_image *img, const char *layout, const char *outputs, ccgov_compression c,
		int threads)
{
	ccgov_image_spec spec = { .tag = "t", .created = 1700000000, .architecture = "amd64",
				  .os = "linux", .compression = c, .threads = threads };
	ccgov_fileset *fs;
	int err;

	if (mkdir(layout, 0755) < 0 || ccgov_fileset_new(&fs) < 0)
		return -1;
	err = ccgov_fileset_add(fs, outputs, "usr/local", "outputs");
	if (err == 0)
		err = ccgov_oci_write(img, layout, &spec, fs);
	ccgov_fileset_free(fs);
	return err;
}

static void same_bytes_for_any_thread_count(void)
{
	char outputs[4200], a[4300], b[4300];
	ccgov_image one, two;

	make_outputs(outputs, sizeof(outputs));
	for (int c = 0; c < 3; c++) {
		snprintf(a, sizeof(a), "%s/a%d", unit_tmpdir(), c);
		snprintf(b, sizeof(b), "%s/b%d", unit_tmpdir(), c);
		CHECK_OK(pack(&one, a, outputs, (ccgov_compression)c, 1));
		CHECK_OK(pack(&two, b, outputs, (ccgov_compression)c, 3));
		CHECK(ccgov_digest_equal(&one.manifest, &two.manifest));
		CHECK(ccgov_digest_equal(&one.layer.blob, &two.layer.blob));
	}
}

static void diff_id_does_not_depend_on_compression(void)
{
	char outputs[4200], path[4300];
	ccgov_image img[3];

	make_outputs(outputs, sizeof(outputs));
	for (int c = 0; c < 3; c++) {
		snprintf(path, sizeof(path), "%s/l%d", unit_tmpdir(), c);
		CHECK_OK(pack(&img[c], path, outputs, (ccgov_compression)c, 2));
	}
	CHECK(ccgov_digest_equal(&img[0].layer.diff_id, &img[1].layer.diff_id));
	CHECK(ccgov_digest_equal(&img[0].layer.diff_id, &img[2].layer.diff_id));
	/* Uncompressed: the blob is the tar. */
	CHECK(ccgov_digest_equal(&img[2].layer.blob, &img[2].layer.diff_id));
}

/* The tar itself, as GNU tar lists it: sorted, parents present, owners 0, links kept. */
static void tar_listing_is_normalized(void)
{
	char outputs[4200], layout[4300], hex[65], *list;
	ccgov_image img;

	make_outputs(outputs, sizeof(outputs));
	snprintf(layout, sizeof(layout), "%s/img", unit_tmpdir());
	CHECK_OK(pack(&img, layout, outputs, CCGOV_COMPRESS_GZIP, 2));
	ccgov_digest_hex(hex, &img.layer.blob);
	list = unit_run("tar --numeric-owner -tvzf '%s/blobs/sha256/%s' | awk '{s=$1\" \"$2; for (i=6; i<=NF; i++) s=s\" \"$i; print s}'",
			layout, hex);
	CHECK_STR(list,
		  "drwxr-xr-x 0/0 usr/\n"
		  "drwxr-xr-x 0/0 usr/local/\n"
		  "drwxr-xr-x 0/0 usr/local/bin/\n"
		  "lrwxrwxrwx 0/0 usr/local/bin/alias -> tool\n"
		  "-rwxr-xr-x 0/0 usr/local/bin/hard\n"
		  "hrwxr-xr-x 0/0 usr/local/bin/tool link to usr/local/bin/hard\n"
		  "drwxr-xr-x 0/0 usr/local/share/\n"
		  "-rw-r--r-- 0/0 usr/local/share/blob\n"
		  "drwxr-xr-x 0/0 usr/local/share/doc/\n"
		  "-rw-r--r-- 0/0 usr/local/share/doc/README");
	free(list);
	/* Every entry's time is SOURCE_DATE_EPOCH (the files are newer). */
	list = unit_run("tar --numeric-owner --full-time -tvzf '%s/blobs/sha256/%s' | awk '{print $4, $5}' | sort -u",
			layout, hex);
	CHECK_STR(list, "2023-11-14 22:13:20");
	free(list);
}

static void verify_accepts_what_was_written(void)
{
	char outputs[4200], layout[4300];
	ccgov_image written, read;

	make_outputs(outputs, sizeof(outputs));
	for (int c = 0; c < 3; c++) {
		snprintf(layout, sizeof(layout), "%s/v%d", unit_tmpdir(), c);
		CHECK_OK(pack(&written, layout, outputs, (ccgov_compression)c, 2));
		CHECK_OK(ccgov_oci_verify(&read, layout, "t"));
		CHECK(ccgov_digest_equal(&written.manifest, &read.manifest));
		CHECK(ccgov_digest_equal(&written.layer.diff_id, &read.layer.diff_id));
		CHECK(read.layer.tar_size == written.layer.tar_size);
	}
	CHECK_ERR(ccgov_oci_verify(&read, layout, "nosuch"), CCGOV_ENOTFOUND, "no image tagged 'nosuch'");
}

static void corrupted_blob_is_named(void)
{
	char outputs[4200], layout[4300], hex[65], *out;
	ccgov_image img, read;

	make_outputs(outputs, sizeof(outputs));
	snprintf(layout, sizeof(layout), "%s/c", unit_tmpdir());
	CHECK_OK(pack(&img, layout, outputs, CCGOV_COMPRESS_GZIP, 2));
	ccgov_digest_hex(hex, &img.layer.blob);
	/* Flip one byte in the middle of the layer. */
	/* Inverted, not overwritten: the byte there may already have had any value. */
	out = unit_run("f='%s/blobs/sha256/%s'; b=$(od -An -tu1 -j1000 -N1 \"$f\"); "
		       "printf \"\\\\$(printf %%o $((255 - b)))\" | dd of=\"$f\" bs=1 seek=1000 conv=notrunc status=none "
		       "&& echo ok", layout, hex);
	CHECK_STR(out, "ok");
	free(out);
	CHECK_ERR(ccgov_oci_verify(&read, layout, NULL), CCGOV_EMISMATCH, hex);
}

/*
 * A config whose diff_id lies, with every digest above it made consistent,
 * as an attacker swapping a layer would do: only decompressing catches it.
 */
static void wrong_diff_id_is_caught(void)
{
	char outputs[4200], layout[4300], *out;
	ccgov_image img, read;

	make_outputs(outputs, sizeof(outputs));
	snprintf(layout, sizeof(layout), "%s/d", unit_tmpdir());
	CHECK_OK(pack(&img, layout, outputs, CCGOV_COMPRESS_ZSTD, 2));
	out = unit_run(
		"set -e; cd '%s'; b=blobs/sha256; "
		"m=$(jq -r '.manifests[0].digest' index.json | cut -d: -f2); "
		"c=$(jq -r '.config.digest' $b/$m | cut -d: -f2); "
		"jq -cj '.rootfs.diff_ids[0]=\"sha256:%064d\"' $b/$c > cfg; "
		"c2=$(sha256sum cfg | cut -c1-64); mv cfg $b/$c2; "
		"jq -cj --arg d sha256:$c2 --argjson s $(stat -c %%s $b/$c2) '.config.digest=$d | .config.size=$s' $b/$m > man; "
		"m2=$(sha256sum man | cut -c1-64); mv man $b/$m2; "
		"jq -cj --arg d sha256:$m2 --argjson s $(stat -c %%s $b/$m2) '.manifests[0].digest=$d | .manifests[0].size=$s' index.json > i; "
		"mv i index.json; echo ok", layout, 0);
	CHECK_STR(out, "ok");
	free(out);
	CHECK_ERR(ccgov_oci_verify(&read, layout, "t"), CCGOV_EMISMATCH,
		  "layer does not match the config's diff_id (config says sha256:0000");
}

static void hostile_outputs_are_refused(void)
{
	char dir[4200], path[4300], *out;
	ccgov_fileset *fs;

	snprintf(dir, sizeof(dir), "%s/bad", unit_tmpdir());
	CHECK(mkdir(dir, 0755) == 0);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	CHECK(mkfifo(path, 0644) == 0);
	CHECK_OK(ccgov_fileset_new(&fs));
	CHECK_ERR(ccgov_fileset_add(fs, dir, "x", "bad"), CCGOV_EINVALID,
		  "bad/fifo: FIFOs are not allowed in an image");
	ccgov_fileset_free(fs);
	unlink(path);
	snprintf(path, sizeof(path), "%s/caf\xe9", dir);
	CHECK(unit_write(path, "x") == 0);
	CHECK_OK(ccgov_fileset_new(&fs));
	CHECK_ERR(ccgov_fileset_add(fs, dir, "x", "bad"), CCGOV_EINVALID, "file name is not valid UTF-8");
	ccgov_fileset_free(fs);
	unlink(path);
	snprintf(path, sizeof(path), "%s/huge", dir);
	out = unit_run("truncate -s 8589934593 '%s' && echo ok", path);
	free(out);
	CHECK_OK(ccgov_fileset_new(&fs));
	CHECK_ERR(ccgov_fileset_add(fs, dir, "x", "bad"), CCGOV_EINVALID, "bad/huge: file is larger than 8 GiB");
	ccgov_fileset_free(fs);
	CHECK_OK(ccgov_fileset_new(&fs));
	CHECK_ERR(ccgov_fileset_add(fs, dir, "../etc", "bad"), CCGOV_EUNSAFE, "'..'");
	ccgov_fileset_free(fs);
}

/* What is packed is what was listed: a file swapped in after the walk is refused, not packed. */
static void outputs_swapped_after_listing_are_refused(void)
{
	char outputs[4200], layout[4300], *out;
	ccgov_image_spec spec = { .tag = "t", .created = 1700000000, .architecture = "amd64", .os = "linux",
				  .compression = CCGOV_COMPRESS_NONE, .threads = 1 };
	ccgov_image img;
	ccgov_fileset *fs;

	make_outputs(outputs, sizeof(outputs));
	snprintf(layout, sizeof(layout), "%s/swapped", unit_tmpdir());
	CHECK(mkdir(layout, 0755) == 0);
	CHECK_OK(ccgov_fileset_new(&fs));
	CHECK_OK(ccgov_fileset_add(fs, outputs, "usr/local", "outputs"));
	/* Same size, other inode: only the file's identity tells. */
	out = unit_run("cd '%s' && printf 'DATA' > evil && mv evil share/doc/README && echo ok", outputs);
	CHECK_STR(out, "ok");
	free(out);
	CHECK_ERR(ccgov_oci_write(&img, layout, &spec, fs), CCGOV_EIO,
		  "usr/local/share/doc/README: replaced while being packed");
	ccgov_fileset_free(fs);
}

/* A file output inside a folder output, with implied folders dropped before it: an error, freed once. */
static void an_output_named_twice_is_refused(void)
{
	ccgov_image_spec spec = { .tag = "t", .created = 1700000000, .architecture = "amd64", .os = "linux" };
	char dir[4200], file[4300], layout[4300], *out;
	ccgov_image img;
	ccgov_fileset *fs;

	snprintf(dir, sizeof(dir), "%s/twice", unit_tmpdir());
	snprintf(file, sizeof(file), "%s/d/f", dir);
	snprintf(layout, sizeof(layout), "%s/layout", dir);
	out = unit_run("mkdir -p '%s/d' '%s' && echo f > '%s' && echo ok", dir, layout, file);
	CHECK_STR(out, "ok");
	free(out);
	snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/d");
	CHECK_OK(ccgov_fileset_new(&fs));
	CHECK_OK(ccgov_fileset_add(fs, dir, "x/y/d", "d"));
	CHECK_OK(ccgov_fileset_add(fs, file, "x/y/d/f", "d/f"));
	CHECK_OK(ccgov_fileset_add(fs, file, "x/z/f", "d/f"));
	CHECK_ERR(ccgov_oci_write(&img, layout, &spec, fs), CCGOV_EINVALID, "x/y/d/f: named by more than one output");
	ccgov_fileset_free(fs);
}

const struct unit_test image_tests[] = {
	{ "an output named twice is refused, and freed once", an_output_named_twice_is_refused },
	{ "same image bytes with 1 or 3 compression threads", same_bytes_for_any_thread_count },
	{ "diff_id is the same for gzip, zstd and none", diff_id_does_not_depend_on_compression },
	{ "the tar is sorted, owned by 0, links kept (GNU tar's view)", tar_listing_is_normalized },
	{ "the reader accepts what the writer wrote", verify_accepts_what_was_written },
	{ "a corrupted layer blob is named", corrupted_blob_is_named },
	{ "a lying diff_id is caught by decompressing", wrong_diff_id_is_caught },
	{ "FIFOs, non-UTF-8 names, huge files and '..' are refused", hostile_outputs_are_refused },
	{ "an output swapped after it was listed is refused, not packed", outputs_swapped_after_listing_are_refused },
	{ NULL, NULL }
};
