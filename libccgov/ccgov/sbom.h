/*
 * Software bills of materials: what a source tree (and an image built from
 * it) is made of, exactly and reproducibly.
 *
 * Catalogers read one kind of file each (Cargo.lock, package-lock.json,
 * go.mod and go.sum, ...) into one model; writers turn the model into
 * SPDX 2.3 or CycloneDX 1.6 JSON. The same inputs give the same bytes:
 * components and edges are sorted, paths are relative, the time comes from
 * SOURCE_DATE_EPOCH or the commit, and the document's serial number and
 * namespace are derived from its content.
 */
#ifndef CCGOV_SBOM_H
#define CCGOV_SBOM_H

#include <ccgov/buffer.h>
#include <ccgov/digest.h>
#include <ccgov/git.h>
#include <ccgov/rootfs.h>
#include <cjson/cJSON.h>

#include <stddef.h>
#include <stdint.h>

/* Why a component is in the tree, as far as its lock file says. */
typedef enum {
	CCGOV_DEP_RUNTIME,  /* needed when the product runs */
	CCGOV_DEP_DEV,      /* a development or build dependency (npm "dev", Cargo dev) */
	CCGOV_DEP_OPTIONAL  /* optional at run time (npm "optional") */
} ccgov_dep_kind;

typedef struct {
	const char *alg;  /* CycloneDX name: "SHA-1", "SHA-256", "SHA-512" */
	char *hex;        /* lower-case hex */
} ccgov_hash;

typedef struct {
	char *name, *value;
} ccgov_property;

typedef struct {
	char *ref;          /* unique in the document: the purl, else a ccgov: reference */
	const char *type;   /* CycloneDX type: application, library, file, ... */
	char *name;
	char *version;      /* NULL when the source does not say */
	char *purl;
	char *license;      /* an SPDX expression the source declares, else NULL */
	char *source;       /* the file it was found in, relative to the tree */
	const char *scope;  /* "test", "fuzz", "docs", "example" for lock files there, "ci" for workflows; else NULL */
	ccgov_dep_kind kind;
	int direct;         /* the root depends on it directly */
	ccgov_hash hashes[4];
	size_t nhashes;
	ccgov_property *props;
	size_t nprops;
	char **depends;     /* refs of what it depends on */
	size_t ndepends;
	unsigned uses;      /* how many lock entries named it (ccgov_component_use) */
	int deps_known;     /* its lock file lists its dependencies (an empty list means none) */
} ccgov_component;

typedef struct {
	ccgov_component root;      /* the project (or image) the document describes */
	ccgov_component *items;
	size_t len, cap;
	char **warnings;           /* "FILE:LINE: problem": inputs read only in part */
	size_t nwarnings;
	int64_t time;              /* seconds since the epoch, for the document's timestamp */
	size_t *index;             /* open-addressing table of refs: item index + 1, 0 = empty */
	size_t index_size;
} ccgov_sbom;

void ccgov_sbom_init(ccgov_sbom *s);
void ccgov_sbom_free(ccgov_sbom *s);

/*
 * Adds a component and returns it (owned by s, valid until the next add),
 * or NULL when out of memory. A component with a ref already present is merged into that one
 * (hashes, dependencies and directness added), and that one is returned.
 */
ccgov_component *ccgov_sbom_add(ccgov_sbom *s, const char *type, const char *name, const char *version,
				const char *purl, const char *source);
/*
 * Records one more lock entry naming c: a component is runtime if any use
 * is, in the product if any use is outside test/docs folders, and direct if
 * any use is.
 */
/* The component with this ref, or NULL. Pointers stay valid until the next add. */
ccgov_component *ccgov_sbom_find(ccgov_sbom *s, const char *ref);

void ccgov_component_use(ccgov_component *c, ccgov_dep_kind kind, const char *scope, int direct);
/* The same with the ref given (a file is "file:/usr/bin/x"). */
ccgov_component *ccgov_sbom_add_ref(ccgov_sbom *s, const char *ref, const char *type, const char *name,
				    const char *version, const char *purl, const char *source);
int ccgov_component_hash(ccgov_component *c, const char *alg, const char *hex);
int ccgov_component_property(ccgov_component *c, const char *name, const char *value);
int ccgov_component_depends(ccgov_component *c, const char *ref);
int ccgov_sbom_warn(ccgov_sbom *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* 1 for UTF-8 without control, separator or bidi characters: text a document holds as it is, on one line. */
int ccgov_sbom_text_fits(const char *value, size_t len);

/* The longest name, version or value a cataloger takes from a file. */
#define CCGOV_SBOM_TEXT_MAX 1024

/*
 * Whether a value read at path:line (line 0 for a binary file; what names
 * it: "version", "uses:", "DT_NEEDED")
 * can go into an SBOM: UTF-8 without control, separator or bidi
 * characters, at most CCGOV_SBOM_TEXT_MAX bytes. 1 if so; else 0, after
 * a warning that shows it escaped and says it was left out; a CCGOV_E*
 * code if the warning cannot be kept. Catalogers ask where they read a
 * value, so the writers never meet one they must refuse.
 */
int ccgov_sbom_text_usable(ccgov_sbom *s, const char *path, int line, const char *what, const char *value,
			   size_t len);

/*
 * The same for the values of one entry, NUL-terminated, given as pairs of
 * what and value (a NULL value is absent, which is fine) ending with NULL:
 * where locates the entry, "go.mod:12" or, in a JSON or TOML lock file
 * that keeps no lines, the file and the entry: "Cargo.lock: [[package]] 3".
 * 1 if every value is usable; else 0 after one warning for the first that
 * is not, so that the entry is left out whole.
 */
int ccgov_sbom_usable(ccgov_sbom *s, const char *where, ...) __attribute__((sentinel));

/*
 * A package URL (github.com/package-url/purl-spec): pkg:TYPE/NAMESPACE/NAME@VERSION,
 * each part percent-encoded (namespace segments apart); namespace and
 * version may be NULL. NULL if out of memory.
 */
char *ccgov_purl(const char *type, const char *namespace_, const char *name, const char *version);

/*
 * The same as ccgov_purl for a full name that holds its namespace: split
 * at slash (a pointer into full_name), or no namespace when slash is NULL.
 * npm splits "@scope/name" at the first '/', Go module paths at the last.
 */
char *ccgov_purl_split(const char *type, const char *full_name, const char *slash, const char *version);

/* pkg:github/owner/repo@commit for a GitHub URL (https or git@), else NULL. */
char *ccgov_purl_github(const char *url, const char *commit);

/* 1 when a declared licence reads as an SPDX expression ("MIT", "Apache-2.0 OR MIT"). */
int ccgov_sbom_license_is_expression(const char *license);

/*
 * The scope a lock file's place gives its components: "test", "fuzz",
 * "docs" or "example" when a folder of its path is one of those, else NULL.
 */
const char *ccgov_sbom_scope_of(const char *path);

/* Catalogers: each reads one file (path relative to the tree, for messages and "source"). */
int ccgov_catalog_cargo_lock(ccgov_sbom *s, const char *path, const char *text, size_t len);
int ccgov_catalog_npm_lock(ccgov_sbom *s, const char *path, const char *text, size_t len);
int ccgov_catalog_go_mod(ccgov_sbom *s, const char *path, const char *gomod, size_t gomod_len,
			 const char *gosum, size_t gosum_len);

int ccgov_catalog_conan_lock(ccgov_sbom *s, const char *path, const char *text, size_t len);
int ccgov_catalog_vcpkg(ccgov_sbom *s, const char *path, const char *text, size_t len);
/* A git submodule at path (relative to the tree), from its URL and pinned commit. */
int ccgov_catalog_submodule(ccgov_sbom *s, const char *path, const char *url, const char *commit);
/* A GitHub Actions workflow's uses: steps, as components of scope "ci". */
int ccgov_catalog_workflow(ccgov_sbom *s, const char *path, const char *text, size_t len);
/*
 * A vendored C library's public header (zlib.h, sqlite3.h, opensslv.h,
 * ...) that states its own version: a pkg:generic component.
 * ccgov_vendored_header says whether a file name is one (the library's
 * name) or not (NULL).
 */
int ccgov_catalog_vendored(ccgov_sbom *s, const char *path, const char *text, size_t len);
const char *ccgov_vendored_header(const char *base);
int ccgov_catalog_requirements(ccgov_sbom *s, const char *path, const char *text, size_t len);
int ccgov_catalog_poetry_lock(ccgov_sbom *s, const char *path, const char *text, size_t len);

/*
 * The dpkg database (var/lib/dpkg/status) of an image: installed packages
 * as pkg:deb/DISTRO/NAME@VERSION?arch=ARCH&distro=DISTRO-VERSION_ID
 * (distro_version may be NULL). A broken stanza is a warning with its line.
 */
int ccgov_catalog_dpkg_status(ccgov_sbom *s, const char *path, const char *text, size_t len, const char *distro,
			      const char *distro_version);

/*
 * The apk database (lib/apk/db/installed) of an Alpine image: each
 * package (P:, V:, A:) as pkg:apk/DISTRO/NAME@VERSION?arch=ARCH&distro=
 * DISTRO-VERSION_ID. A package without P: or V: is a warning with its line.
 */
int ccgov_catalog_apk_installed(ccgov_sbom *s, const char *path, const char *text, size_t len, const char *distro,
				const char *distro_version);

/*
 * Adds what the OCI image layout at layout_dir holds, after verifying it:
 * every regular file (type file, SHA-256), ELF build-ids, needed libraries
 * and compilers (the toolchain, scope "toolchain"), Go modules compiled
 * into Go programs, and the packages of the dpkg database. digest gets
 * the image (manifest) digest, "sha256:<hex>".
 */
int ccgov_sbom_collect_image(ccgov_sbom *s, const char *layout_dir, char digest[CCGOV_DIGEST_STRING_MAX]);

/* The same from files already read (ccgov/image_files.h): fs is a rootfs whose facts are ccgov_file_facts. */
int ccgov_sbom_catalog_image_files(ccgov_sbom *s, ccgov_rootfs *fs);

/* Where an exported tree came from (ccgov build describes the commit it built, not a checkout). */
typedef struct {
	ccgov_repo *repo;    /* the repository it was exported from; NULL: no VCS */
	const char *commit;  /* the commit exported, as hex: a name that cannot move meanwhile */
	const char *path;    /* the tree's place in the repository, "" at its top */
} ccgov_sbom_source;

typedef struct {
	const char *root;   /* the tree to describe */
	/* The project's name, or NULL: ccgov.json's in root, else the remote's last part, else the folder's name. */
	const char *name;
	const char *image;  /* an OCI image layout built from the tree, or NULL */
	/*
	 * NULL: root is a work tree, or a folder outside git; the repository
	 * that holds it, at HEAD, gives the VCS facts, and untracked files
	 * that git ignores are skipped. Otherwise root is a tree exported from
	 * source->commit: every file in it is committed, so no ignore rule
	 * applies, and the VCS facts are the commit's.
	 */
	const ccgov_sbom_source *source;
} ccgov_sbom_options;

/*
 * Reads the tree: the project as the root component (name, version from
 * git describe, VCS URL and commit when in a repository), every lock
 * file found, and the submodules the commit pins. The VCS facts are those
 * of one commit (HEAD, or source->commit), never of the index or of the
 * work tree, so a fresh clone checked out at a commit and a tree exported
 * from it give the same document. The writers sort what they write.
 */
int ccgov_sbom_collect(ccgov_sbom *s, const ccgov_sbom_options *opts);

/*
 * Makes a document collected without an image about the image at
 * layout_dir, as ccgov_sbom_collect does with opts->image: so a build
 * can read its source before the build command runs, and add the image
 * it packed afterwards.
 */
int ccgov_sbom_describe_image(ccgov_sbom *s, const char *layout_dir);
/*
 * The same from the image's files already read (ccgov/image_files.h),
 * digest its manifest digest, annotations its manifest's (or NULL): a
 * base they name (base.name and base.digest) becomes a container
 * component the image depends on.
 */
int ccgov_sbom_describe_image_files(ccgov_sbom *s, ccgov_rootfs *fs, const char *digest, const cJSON *annotations);

/* Sorts components, hashes, properties and dependencies, for writing. */
void ccgov_sbom_sort(ccgov_sbom *s);

/*
 * A UUID (RFC 9562 version 5, SHA-1) derived from len bytes of content in
 * ccgov's own namespace (the version 5 UUID of the URL
 * https://ccgov.dev/sbom), as 36 characters and a NUL: documents with the
 * same content get the same serial number.
 */
int ccgov_sbom_uuid(char out[37], const void *content, size_t len);
/* The same over a document's canonical (RFC 8785) JSON. */
int ccgov_sbom_document_uuid(char out[37], const cJSON *doc);

/* The documents, pretty-printed JSON with sorted keys. */
/*
 * The last guard before a writer: a component with a name, version or
 * other field that is not text a document can hold (not UTF-8, or a
 * control, separator or bidi character) is left out, with the edges to
 * it; such a property is left out; each with a warning naming the file
 * it came from. Both writers call it: no value a cataloger let through
 * can make a document fail.
 */
int ccgov_sbom_keep_writable(ccgov_sbom *s);

int ccgov_sbom_write_cyclonedx(ccgov_buffer *out, ccgov_sbom *s);
int ccgov_sbom_write_spdx(ccgov_buffer *out, ccgov_sbom *s);

/* A component of an SBOM read back: its identity without the version, name and version. */
typedef struct {
	char *key;      /* the purl without its version, or the name when there is no purl */
	char *name;
	char *version;  /* NULL when the document gives none */
} ccgov_sbom_entry;

/* Reads a CycloneDX or SPDX JSON document's components (the described project included), sorted. */
int ccgov_sbom_entries(ccgov_sbom_entry **out, size_t *n, const char *path);
void ccgov_sbom_entries_free(ccgov_sbom_entry *e, size_t n);

/*
 * What changed from a to b: {"added": [...], "removed": [...], "changed":
 * [{"id", "name", "from": [versions], "to": [versions]}]}, each sorted.
 */
int ccgov_sbom_compare(cJSON **out, const ccgov_sbom_entry *a, size_t na, const ccgov_sbom_entry *b, size_t nb);

#endif
