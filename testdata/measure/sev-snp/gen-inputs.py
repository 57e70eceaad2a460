#!/usr/bin/env python3
"""Generate the synthetic test inputs for `ccgov measure sev-snp`.

Run it inside the directory that should receive the files (normally this one):

    cd testdata/measure/sev-snp && python3 gen-inputs.py && sha256sum -c SHA256SUMS

Everything here is built from scratch (no third-party firmware bytes): each
"OVMF-like" image is a page-multiple body filled with a simple arithmetic byte
pattern, plus the two structures sev-snp-measure reads from real OVMF builds:

  * the OVMF footer GUID table, which ends 32 bytes before EOF (the last
    32 bytes are the reset vector in real firmware; here an ASCII filler), and
  * the "ASEV" SEV metadata block, placed at `len(file) - offset` where `offset`
    comes from the OVMF_SEV_METADATA footer entry.

The layouts (entry set, GPAs around 0x800000, section list) are modelled on
edk2's OvmfPkg AmdSevX64 / OvmfPkgX64 builds and on Coconut-SVSM, but every
byte is produced by this script.  Deterministic: stdlib only, no randomness.

Footer table layout (all little-endian; GUIDs in EFI "bytes_le" order), read
backwards from the end of the file:

    ... | data_1 | u16 size_1 | GUID_1 | ... | data_k | u16 size_k | GUID_k |
        | u16 footer_size | OVMF_TABLE_FOOTER_GUID | 32-byte reset area | EOF

    size_i = len(data_i) + 18; footer_size = 18 + sum(size_i).
"""
import hashlib
import os
import struct
import uuid

# --------------------------------------------------------------------------
# GUIDs (see snp-NOTES.md section 1; the secret-block and TDX GUIDs are
# present in real firmware but ignored by sev-snp-measure)
# --------------------------------------------------------------------------
FOOTER = "96b582de-1fb2-45f7-baea-a366c55a082d"        # OVMF_TABLE_FOOTER
RESET_BLOCK = "00f771de-1a7e-4fcb-890e-68c77e2fb44e"   # SEV_ES_RESET_BLOCK: u32 AP EIP
HASH_TABLE_RV = "7255371f-3a3b-4b04-927b-1da6efa8d454"  # SEV_HASH_TABLE_RV: u32 GPA, u32 size
SEV_METADATA = "dc886566-984a-4798-a75e-5585a7bf67cc"  # OVMF_SEV_METADATA: u32 offset from EOF
SVSM_INFO = "a789a612-0597-4c4b-a49f-cbb1fe9d1ddd"     # SVSM_INFO: u32 entry offset (svsm.bin)
SECRET_BLOCK = "4c2eb361-7d9b-4cc3-8081-127c90d3d294"  # SEV secret block GPA/size (ignored)
TDX_METADATA = "e47a6535-984a-4798-865e-4685a7bf8ec2"  # TDX metadata offset (ignored)

# SEV metadata section types
SEC_MEM, SECRETS, CPUID, SVSM_CAA, KERNEL_HASHES = 1, 2, 3, 4, 0x10

KiB = 1024
PAGE = 4096


def guid(s):
    """EFI mixed-endian byte form of a GUID string."""
    return uuid.UUID(s).bytes_le


def u32(v):
    return struct.pack("<I", v)


def footer_table(entries):
    """entries: [(guid_str, data_bytes)] in FILE order (the last one sits
    right before the footer entry).  Returns table + footer entry bytes.
    An entry may carry an explicit (wrong) size as a third element."""
    out = b""
    for e in entries:
        g, data = e[0], e[1]
        size = e[2] if len(e) > 2 else len(data) + 18
        out += data + struct.pack("<H", size) + guid(g)
    return out + struct.pack("<H", len(out) + 18) + guid(FOOTER)


def sev_metadata(sections, sig=b"ASEV", version=1):
    """'ASEV' header {sig, u32 size, u32 version, u32 num_items} followed by
    num_items x {u32 gpa, u32 size, u32 type}."""
    items = b"".join(struct.pack("<III", gpa, size, typ) for gpa, size, typ in sections)
    return sig + struct.pack("<III", 16 + len(items), version, len(sections)) + items


RESET_AREA = b"ccgov synthetic OVMF-like image."  # 32 bytes where the reset vector would be
assert len(RESET_AREA) == 32


def image(name, size, pattern, entries, meta=None, meta_offset=None):
    """Build one firmware-like image.

    size        total file size in bytes
    pattern     function i -> byte value for the filler body
    entries     footer table entries (see footer_table)
    meta        SEV metadata block bytes (or None)
    meta_offset its offset from EOF (what the OVMF_SEV_METADATA entry says)
    """
    body = bytearray(pattern(i) & 0xFF for i in range(size))
    tag = ("ccgov sev-snp testdata: %s\n" % name).encode()
    body[:len(tag)] = tag                       # self-describing first bytes
    tail = footer_table(entries) + RESET_AREA
    body[size - len(tail):] = tail
    if meta is not None:
        start = size - meta_offset
        # the metadata must not overlap the footer table
        assert 0 <= start and start + len(meta) <= size - len(tail), name
        body[start:start + len(meta)] = meta
    assert len(body) == size
    return bytes(body)


# --------------------------------------------------------------------------
# Section lists, modelled on real firmware (see snp-NOTES.md "Inputs")
# --------------------------------------------------------------------------
# AmdSevX64-like: two SEC_MEM ranges, secrets, CPUID, SVSM calling area,
# the kernel-hashes page (whose GPA page holds the SEV hash table RV).
KH_SECTIONS = [
    (0x800000, 0x9000, SEC_MEM),
    (0x80A000, 0x3000, SEC_MEM),
    (0x80D000, 0x1000, SECRETS),
    (0x80E000, 0x1000, CPUID),
    (0x80F000, 0x1000, SVSM_CAA),
    (0x810000, 0x1000, KERNEL_HASHES),
]
KH_AP_EIP = 0x80B004
KH_HASH_GPA = 0x810C00          # -> hash table at offset 0xc00 of the 0x810000 page
KH_META_OFFSET = 0x600          # metadata block at EOF - 0x600


def kh_entries(eip=KH_AP_EIP, hash_gpa=KH_HASH_GPA, meta_offset=KH_META_OFFSET, hash_size=0x400):
    """Footer entries in the same file order as edk2 (metadata first,
    reset block last, i.e. nearest to the footer)."""
    return [
        (SEV_METADATA, u32(meta_offset)),
        (HASH_TABLE_RV, u32(hash_gpa) + u32(hash_size)),
        (SECRET_BLOCK, u32(0x80D000) + u32(0x1000)),   # ignored by the tool
        (RESET_BLOCK, u32(eip)),
    ]


def pat_kh(i):
    return i % 251


def kh_like(name, size=64 * KiB, sections=KH_SECTIONS, entries=None, sig=b"ASEV", version=1,
            pattern=pat_kh):
    return image(name, size, pattern, entries if entries is not None else kh_entries(),
                 sev_metadata(sections, sig, version), KH_META_OFFSET)


FILES = {}

# kh.fd -- the main kernel/initrd/append input: full AmdSev-like layout,
# SNP_KERNEL_HASHES section and a non-zero SEV hash table GPA. 64 KiB.
FILES["kh.fd"] = kh_like("kh.fd")

# kh-other.fd -- same capabilities, but everything the digest depends on is
# different: size (96 KiB -> GPA 0xfffe8000), filler pattern, AP EIP
# (0x90c108: other cs.base AND other rip), section GPAs/order (three SEC_MEM,
# CPUID after SECRETS with a SEC_MEM in between, CAA after the hashes page),
# the hash table at offset 0xf50 of its page (0xf50 + 176 == 4096: the table
# ends exactly at the page end), the metadata block in the second-to-last
# page, and a different footer entry order plus the (ignored) TDX entry.
KHO_SECTIONS = [
    (0x900000, 0x8000, SEC_MEM),
    (0x908000, 0x1000, SECRETS),
    (0x909000, 0x4000, SEC_MEM),
    (0x90D000, 0x1000, CPUID),
    (0x910000, 0x1000, KERNEL_HASHES),
    (0x911000, 0x1000, SVSM_CAA),
    (0x912000, 0x6000, SEC_MEM),
]
KHO_META_OFFSET = 0x1A40
FILES["kh-other.fd"] = image(
    "kh-other.fd", 96 * KiB, lambda i: (i * 7 + 3) % 253,
    [
        (TDX_METADATA, u32(0x1400)),                       # ignored by the tool
        (RESET_BLOCK, u32(0x90C108)),
        (HASH_TABLE_RV, u32(0x910F50) + u32(0xB0)),
        (SECRET_BLOCK, u32(0x908000) + u32(0x1000)),       # ignored by the tool
        (SEV_METADATA, u32(KHO_META_OFFSET)),
    ],
    sev_metadata(KHO_SECTIONS), KHO_META_OFFSET)

# nokh.fd -- Debian OvmfPkgX64-like: SNP metadata without SNP_KERNEL_HASHES
# (and without SVSM_CAA), hash-table RV entry present but GPA 0. 32 KiB.
FILES["nokh.fd"] = image(
    "nokh.fd", 32 * KiB, lambda i: (i * 13 + (i >> 12)) % 241,
    kh_entries(eip=0x80B004, hash_gpa=0, meta_offset=0x52C, hash_size=0),
    sev_metadata([
        (0x800000, 0x9000, SEC_MEM),
        (0x80A000, 0x3000, SEC_MEM),
        (0x80D000, 0x1000, SECRETS),
        (0x80E000, 0x1000, CPUID),
        (0x80F000, 0x11000, SEC_MEM),
    ]), 0x52C)

# nometa.fd -- OVMF_CODE_4M-like: footer with reset block (AP EIP 0x808004),
# RV GPA 0 and secret block, but no OVMF_SEV_METADATA entry. 16 KiB.
FILES["nometa.fd"] = image(
    "nometa.fd", 16 * KiB, lambda i: 0xFF - (i % 239),
    [
        (HASH_TABLE_RV, u32(0) + u32(0)),
        (SECRET_BLOCK, u32(0) + u32(0)),
        (RESET_BLOCK, u32(0x808004)),
    ])

# svsm-ovmf.fd -- the OVMF for --mode snp:svsm (Coconut edk2-like section
# list; in svsm mode its metadata is parsed but not measured). 48 KiB.
FILES["svsm-ovmf.fd"] = image(
    "svsm-ovmf.fd", 48 * KiB, lambda i: (i * 3 + 0x55) % 247,
    kh_entries(eip=0x80B004, hash_gpa=0, meta_offset=0x558, hash_size=0),
    sev_metadata([
        (0x800000, 0x9000, SEC_MEM),
        (0x80A000, 0x3000, SEC_MEM),
        (0x80D000, 0x1000, SECRETS),
        (0x80E000, 0x1000, CPUID),
        (0x80F000, 0x1000, SVSM_CAA),
        (0x810000, 0x10000, SEC_MEM),
    ]), 0x558)

# svsm.bin -- Coconut-SVSM-like image for --svsm: footer with SVSM_INFO
# (entry offset 0x1000 into the SVSM image; the AP/BSP rip becomes
# SVSM GPA + 0x1000), a reset block (ignored in svsm mode), and its own
# metadata (SEC_MEM at GPA 0, secrets, CPUID), which is what svsm mode
# measures. 32 KiB.
FILES["svsm.bin"] = image(
    "svsm.bin", 32 * KiB, lambda i: (i * 5 + (i >> 8)) % 233,
    [
        (SEV_METADATA, u32(0x1C2)),
        (SVSM_INFO, u32(0x1000)),
        (SECRET_BLOCK, u32(0xDEADBEEF) + u32(0)),   # ignored
        (RESET_BLOCK, u32(0xFFFFFFF0)),             # ignored in svsm mode
    ],
    sev_metadata([
        (0x0, 0x9E000, SEC_MEM),
        (0x9E000, 0x1000, SECRETS),
        (0x9F000, 0x1000, CPUID),
    ]), 0x1C2)

# vars.fd -- stand-in for OVMF_VARS (only its size, 12 KiB, matters).
FILES["vars.fd"] = bytes((i * 11) % 256 for i in range(12 * KiB))

# Kernel / initrd: arbitrary bytes; the kernel is deliberately not a page
# multiple. empty.bin is a zero-length kernel.
FILES["kernel.bin"] = bytes((i * 17 + (i >> 10)) % 256 for i in range(12 * KiB + 123))
FILES["initrd.bin"] = bytes((i * 29 + 7) % 251 for i in range(20 * KiB))
FILES["empty.bin"] = b""

# --------------------------------------------------------------------------
# Error inputs: each differs from a good 16 KiB kh.fd-like image in exactly
# one defect.  ccgov must reject them (upstream's behaviour varies).
# --------------------------------------------------------------------------
S16 = 16 * KiB

# nofooter.fd: no OVMF_TABLE_FOOTER GUID at EOF-50 (plain pattern body).
_nf = bytearray(pat_kh(i) for i in range(S16))
_tag = b"ccgov sev-snp testdata: nofooter.fd\n"
_nf[:len(_tag)] = _tag
_nf[S16 - 32:] = RESET_AREA
FILES["nofooter.fd"] = bytes(_nf)
assert guid(FOOTER) not in FILES["nofooter.fd"]

# badsig.fd: metadata signature "ASEX" instead of "ASEV".
FILES["badsig.fd"] = kh_like("badsig.fd", S16, sig=b"ASEX")

# badver.fd: metadata version 2.
FILES["badver.fd"] = kh_like("badver.fd", S16, version=2)

# notpage.fd: 16 KiB + 100 bytes, otherwise valid (footer/metadata are
# end-relative, so they are still found).
FILES["notpage.fd"] = kh_like("notpage.fd", S16 + 100)

# overlap.fd: the secrets page 0x808000 lies inside SEC_MEM 0x800000+0x9000.
FILES["overlap.fd"] = kh_like("overlap.fd", S16, sections=[
    (0x800000, 0x9000, SEC_MEM),
    (0x808000, 0x1000, SECRETS),
    (0x80E000, 0x1000, CPUID),
    (0x810000, 0x1000, KERNEL_HASHES),
])

# outofrange.fd: a SEC_MEM section 0xffffd000+0x4000 runs past 4 GiB and into
# the firmware's own range (a 16 KiB image occupies 0xffffc000..0xffffffff).
FILES["outofrange.fd"] = kh_like("outofrange.fd", S16, sections=[
    (0x800000, 0x9000, SEC_MEM),
    (0x80D000, 0x1000, SECRETS),
    (0x80E000, 0x1000, CPUID),
    (0x810000, 0x1000, KERNEL_HASHES),
    (0xFFFFD000, 0x4000, SEC_MEM),
])

# badtype.fd: a section of unknown type 0x7.
FILES["badtype.fd"] = kh_like("badtype.fd", S16, sections=KH_SECTIONS[:4] + [
    (0x80F000, 0x1000, 0x7)] + KH_SECTIONS[5:])

# badentry.fd: the footer entry farthest from the footer (the metadata entry,
# walked last) claims a size of 0x4000 -- far more than the table holds.
FILES["badentry.fd"] = kh_like("badentry.fd", S16, entries=[
    (SEV_METADATA, u32(KH_META_OFFSET), 0x4000)] + kh_entries()[1:])

# shortentry.fd: a footer entry whose size (4) is below the 18-byte header.
FILES["shortentry.fd"] = kh_like("shortentry.fd", S16, entries=kh_entries()[:2] + [
    (SECRET_BLOCK, u32(0x80D000) + u32(0x1000), 4), kh_entries()[3]])

# khsize.fd: SNP_KERNEL_HASHES section of 0x2000 bytes instead of 4096.
FILES["khsize.fd"] = kh_like("khsize.fd", S16, sections=KH_SECTIONS[:5] + [
    (0x810000, 0x2000, KERNEL_HASHES)])

# eip0.fd: SEV-ES reset block AP EIP = 0.
FILES["eip0.fd"] = kh_like("eip0.fd", S16, entries=kh_entries(eip=0))


def main():
    for name, data in FILES.items():
        with open(name, "wb") as f:
            f.write(data)
    with open("SHA256SUMS", "w") as f:
        for name in sorted(FILES):
            f.write("%s  %s\n" % (hashlib.sha256(FILES[name]).hexdigest(), name))
    print("wrote %d files + SHA256SUMS into %s" % (len(FILES), os.getcwd()))


if __name__ == "__main__":
    main()
