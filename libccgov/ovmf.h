/*
 * The OVMF footer GUID table, which both SEV and TDX firmware images carry
 * (edk2 OvmfPkg/ResetVector/Ia16/ResetVectorVtf0.asm). It ends 0x20 bytes
 * before the end of the image, ahead of the reset vector: the table's own
 * entry (u16 length of the whole table, footer GUID) comes last, and each
 * entry before it is "data, u16 length, GUID", walked backwards. Internal
 * to libccgov.
 */
#ifndef CCGOV_OVMF_H
#define CCGOV_OVMF_H

#include <stddef.h>

/* GUIDs in the byte order images store them: the first three fields little-endian. */
typedef unsigned char ovmf_guid[16];

/* 1 if the image ends with the footer table's GUID at its place, else 0. */
int ovmf_footer_present(const unsigned char *fw, size_t len);

/*
 * Finds the entry with guid: 1 and its data in *data, *n; 0 if the table
 * has no such entry or the image has no table; a negative CCGOV_EINVALID
 * if the table is malformed (a length out of range, or a GUID that occurs
 * twice, which would leave two tools free to read different entries).
 */
int ovmf_footer_entry(const unsigned char **data, size_t *n, const unsigned char *fw, size_t len,
		      const ovmf_guid guid, const char *name);

#endif
