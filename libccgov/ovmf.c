/* The OVMF footer GUID table of a firmware image: see ovmf.h. */
#include "ovmf.h"

#include "bytes.h"

#include <ccgov/error.h>

#include <string.h>

#define FOOTER_END 0x20 /* the reset vector follows the table */
#define ENTRY_HEADER 18 /* u16 length + GUID */

static const ovmf_guid FOOTER_GUID = { 0xde, 0x82, 0xb5, 0x96, 0xb2, 0x1f, 0xf7, 0x45,
				       0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d };

int ovmf_footer_present(const unsigned char *fw, size_t len)
{
	return len >= FOOTER_END + ENTRY_HEADER && memcmp(fw + len - FOOTER_END - 16, FOOTER_GUID, 16) == 0;
}

int ovmf_footer_entry(const unsigned char **data, size_t *n, const unsigned char *fw, size_t len,
		      const ovmf_guid guid, const char *name)
{
	size_t table_len, start, end;
	int found = 0;

	*data = NULL;
	*n = 0;
	if (!ovmf_footer_present(fw, len))
		return 0;
	table_len = (size_t)bytes_le(fw + len - FOOTER_END - ENTRY_HEADER, 2);
	if (table_len < ENTRY_HEADER || table_len > len - FOOTER_END)
		return ccgov_error_set(CCGOV_EINVALID, "%s: the OVMF footer table's length is out of range", name);
	start = len - FOOTER_END - table_len;
	end = len - FOOTER_END - ENTRY_HEADER;
	/* The whole table is walked, so that a duplicate is found wherever it is. */
	while (end - start >= ENTRY_HEADER) {
		size_t entry_len = (size_t)bytes_le(fw + end - ENTRY_HEADER, 2);

		if (entry_len < ENTRY_HEADER || entry_len > end - start)
			return ccgov_error_set(CCGOV_EINVALID, "%s: an OVMF footer table entry's length is out of range", name);
		if (memcmp(fw + end - 16, guid, 16) == 0) {
			if (found)
				return ccgov_error_set(CCGOV_EINVALID, "%s: the OVMF footer table has the same GUID twice", name);
			found = 1;
			*data = fw + end - entry_len;
			*n = entry_len - ENTRY_HEADER;
		}
		end -= entry_len;
	}
	return found;
}
