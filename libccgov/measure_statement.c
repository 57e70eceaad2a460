/* What a measurement is evidence about: the image it was computed for. */
#include <ccgov/error.h>
#include <ccgov/measure.h>
#include <ccgov/oci.h>

#include <stdlib.h>
#include <string.h>

int ccgov_measure_subject(ccgov_digest *out, char **name, const char *image, const char *input)
{
	const char *slash;
	int err;

	/* "image" rather than a path or tag, so that the Statement is the same on every machine. */

	*name = NULL;
	if (image && strncmp(image, "sha256:", 7) == 0) {
		if (ccgov_digest_parse(out, image) < 0)
			return ccgov_error_set(CCGOV_EINVALID, "--image %s: not sha256: and 64 lowercase hex digits", image);
		*name = strdup("image");
	} else if (image) {
		ccgov_image img;

		if ((err = ccgov_oci_verify(&img, image, NULL)) < 0)
			return err;
		*out = img.manifest;
		*name = strdup("image");
	} else {
		if ((err = ccgov_digest_file(out, CCGOV_SHA256, input)) < 0)
			return err;
		slash = strrchr(input, '/');
		*name = strdup(slash && slash[1] ? slash + 1 : input);
	}
	return *name ? 0 : ccgov_error_set(CCGOV_ENOMEM, "out of memory");
}
