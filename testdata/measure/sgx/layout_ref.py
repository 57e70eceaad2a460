#!/usr/bin/env python3
"""An independent reference for `ccgov measure sgx --layout` (stdlib only).

Written from the Intel SDM Vol. 3D (the Operation sections of ECREATE, EADD
and EEXTEND) and the layout format of ccgov-measure(1), not from ccgov's C
code. It reads a layout, prints its MRENCLAVE, and with -o also writes the
equivalent SGXS stream (Fortanix format; UNMEASRD records for chunks of
file-backed pages that are loaded but not measured), so that a third
implementation (sgxref.py, or `ccgov measure sgx --sgxs`) can check it.

  layout_ref.py LAYOUT.json [-o OUT.sgxs]

It checks only what it needs to compute the value; refusing bad layouts is
ccgov's job (and its tests').
"""
import hashlib, json, os, struct, sys

PAGE, CHUNK = 4096, 256

def num(v):
    """An integer, or a "0x" hex string."""
    if isinstance(v, str):
        assert v.startswith("0x") and 1 <= len(v) - 2 <= 16
        return int(v[2:], 16)
    assert isinstance(v, int) and not isinstance(v, bool) and v >= 0
    return v

def secinfo_flags(region):
    if region["type"] == "tcs":               # SDM: PT_TCS = 1, R/W/X must be 0
        return 1 << 8
    perm = region["permissions"]
    return 2 << 8 | ("r" in perm) | ("w" in perm) << 1 | ("x" in perm) << 2   # PT_REG = 2

def masks(region, pages):
    m = region["measure"]
    if m == "all":
        return [0xFFFF] * pages
    if m == "none":
        return [0] * pages
    assert len(m) == pages
    return [num(x) for x in m]

def page_content(folder, region, index):
    """The page's 4096 bytes: the file from file_offset on, zero past its end; zero without a file."""
    if "file" not in region:
        return bytes(PAGE)
    with open(os.path.join(folder, region["file"]), "rb") as f:
        f.seek(num(region.get("file_offset", 0)) + index * PAGE)
        data = f.read(PAGE)
    return data + bytes(PAGE - len(data))

def records(path):
    """Yields (measured, bytes) for each record of the enclave's SGXS stream, in load order."""
    layout = json.load(open(path))
    folder = os.path.dirname(os.path.abspath(path))
    size, ssa = num(layout["enclave_size"]), num(layout["ssa_frame_size"])
    # ECREATE: tag, SSAFRAMESIZE (u32), SIZE (u64), 44 zero bytes.
    yield True, b"ECREATE\0" + struct.pack("<IQ", ssa, size) + bytes(44)
    for region in layout["regions"]:
        offset, pages, flags = num(region["offset"]), num(region["pages"]), secinfo_flags(region)
        for index, mask in enumerate(masks(region, pages)):
            page = offset + index * PAGE
            # EADD: tag, page offset (u64), the first 48 bytes of SECINFO (FLAGS, then zeros).
            yield True, b"EADD\0\0\0\0" + struct.pack("<QQ", page, flags) + bytes(40)
            content = page_content(folder, region, index) if (mask or "file" in region) else bytes(PAGE)
            for c in range(PAGE // CHUNK):
                header = struct.pack("<Q", page + c * CHUNK) + bytes(48)
                data = content[c * CHUNK:(c + 1) * CHUNK]
                if mask >> c & 1:      # EEXTEND: tag, chunk offset, 48 zeros, then the 256 bytes
                    yield True, b"EEXTEND\0" + header + data
                elif "file" in region: # loaded from the file, not measured
                    yield False, b"UNMEASRD" + header + data

def main():
    path = sys.argv[1]
    out = open(sys.argv[3], "wb") if len(sys.argv) == 4 and sys.argv[2] == "-o" else None
    h = hashlib.sha256()
    for measured, rec in records(path):
        if measured:
            h.update(rec)
        if out:
            out.write(rec)
    print(h.hexdigest())

if __name__ == "__main__":
    main()
