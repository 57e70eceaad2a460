/*
 * Base images: an image ccgov build puts its files on top of, named by
 * digest and read from the local disk, never fetched.
 *
 *   oci:PATH@sha256:HEX          an OCI image layout (skopeo copy ... oci:PATH)
 *   oci-archive:FILE@sha256:HEX  the same as one tar (skopeo copy ... oci-archive:FILE)
 *
 * The digest is the manifest's, or an image index's (the platform's
 * manifest is then chosen). A tag is refused: it can point elsewhere
 * tomorrow, and the same commit must give the same image.
 */
#ifndef CCGOV_BASE_H
#define CCGOV_BASE_H

#include <ccgov/digest.h>
#include <ccgov/oci.h>

typedef struct {
	char *written;      /* as given, for messages and the provenance */
	char *path;         /* the layout folder or the archive, as written */
	int archive;        /* oci-archive: */
	ccgov_digest digest;
} ccgov_base_ref;

/* Parses text; CCGOV_EINVALID with a message that says how to pin it. */
int ccgov_base_ref_parse(ccgov_base_ref *out, const char *text);
void ccgov_base_ref_clear(ccgov_base_ref *ref);

/* "os/architecture[/variant]", lowercase letters, digits, '.', '_' and '-': CCGOV_EINVALID otherwise. */
int ccgov_platform_check(const char *platform);

/*
 * Opens the base ref names (a relative path taken from relative_to; NULL:
 * the current folder) for platform (NULL: this machine's). An archive is
 * first unpacked into scratch, an empty folder the caller owns and
 * removes: only oci-layout, index.json and blobs/sha256/HEX are taken
 * from it, anything else is refused. Every blob is checked as it is read.
 */
int ccgov_base_open(ccgov_oci_reader **out, const ccgov_base_ref *ref, const char *relative_to,
		    const char *platform, const char *scratch);

#endif
