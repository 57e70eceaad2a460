#!/usr/bin/env python3
"""Signs an EIF as nitro-cli does, for ccgov's tests (Python 3 stdlib and the
openssl command; written from the EIF specification in
aws-nitro-enclaves-image-format, README "EifSectionSignature", and its
src/utils/eif_signer.rs, src/defs/mod.rs; COSE_Sign1 as RFC 8152 and
aws-nitro-enclaves-cose src/sign.rs build it).

usage:
  signeif.py demo
      writes demo-signed.eif and demo-signed.cert.pem beside this script from
      demo.eif, with a fresh throwaway P-384 key that is then deleted
  signeif.py sign IN.eif OUT.eif KEY.pem CERT [options]
      --alg ES256|ES384|ES512   COSE algorithm (default ES384; the key's curve must match it to verify)
      --pcr0 HEX                sign this value instead of IN's PCR0
      --index N                 sign PCR N instead of PCR0
      --cut N                   drop the last N bytes of the signature section
      --flip-signature          change one bit of the COSE signature
  signeif.py section IN.eif OUT.eif SECTION
      appends SECTION's bytes, as they are, as the signature section
  signeif.py fuzz-seed OUT
      writes a signature section, with a fresh throwaway key, for the small
      EIF that fuzz/nitro_eif.c wraps its inputs in (kernel "k", command
      line "c", ramdisk "r")

The signature is appended as a new last section, the header's section
count, offset and size tables and the CRC-32 updated: the bytes
EifSigner::write_signature and EifBuilder::write_to produce.
"""
import hashlib
import os
import struct
import subprocess
import sys
import tempfile
import zlib

HEADER = ">4sHHQQHH32Q32QII"  # EifHeader, 548 bytes, big-endian
SECTION = ">HHQ"              # EifSectionHeader: type, flags, size
KERNEL, CMDLINE, RAMDISK, SIGNATURE = 1, 2, 3, 4
ALGS = {"ES256": (-7, "sha256", 32), "ES384": (-35, "sha384", 48), "ES512": (-36, "sha512", 66)}


# CBOR (RFC 8949) as serde_cbor 0.11 writes it: definite lengths, every
# head in the fewest bytes.
def head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | info]) + n.to_bytes(size, "big")
    raise ValueError(n)


def cbor_int(n):
    return head(0, n) if n >= 0 else head(1, -1 - n)


def cbor_text(s):
    return head(3, len(s.encode())) + s.encode()


def cbor_bytes(b):
    return head(2, len(b)) + b


def cbor_u8_array(b):
    """A Rust Vec<u8> field without serde_bytes: serde writes it as a
    sequence, so serde_cbor makes an array of unsigned integers."""
    return head(4, len(b)) + b"".join(head(0, x) for x in b)


def sections(eif):
    nsec = struct.unpack_from(HEADER, eif)[6]
    pos, out = struct.calcsize(HEADER), []
    for _ in range(nsec):
        kind, _, size = struct.unpack_from(SECTION, eif, pos)
        pos += struct.calcsize(SECTION)
        out.append((kind, eif[pos:pos + size]))
        pos += size
    return out


def pcr0(eif):
    """SHA-384(48 zero bytes || SHA-384(kernel, command line, ramdisks))."""
    data = b"".join(d for kind, d in sections(eif) if kind in (KERNEL, CMDLINE, RAMDISK))
    return hashlib.sha384(bytes(48) + hashlib.sha384(data).digest()).digest()


def der_to_raw(der, size):
    """An ECDSA-Sig-Value (SEQUENCE of INTEGER r, s) to r || s, each size bytes."""
    def length(p):
        if der[p] < 0x80:
            return der[p], p + 1
        n = der[p] & 0x7F
        return int.from_bytes(der[p + 1:p + 1 + n], "big"), p + 1 + n
    assert der[0] == 0x30
    _, p = length(1)
    out = b""
    for _ in range(2):
        assert der[p] == 0x02
        n, p = length(p + 1)
        out += int.from_bytes(der[p:p + n], "big").to_bytes(size, "big")
        p += n
    return out


def cose_sign1(payload, key, alg):
    """Untagged COSE_Sign1 [protected, unprotected, payload, signature] as
    CoseSign1::new and as_bytes(false) write it: the protected header is the
    map {1: alg}, the unprotected one empty, the signature r || s."""
    number, digest, size = ALGS[alg]
    protected = head(5, 1) + cbor_int(1) + cbor_int(number)
    sig_structure = head(4, 4) + cbor_text("Signature1") + cbor_bytes(protected) + cbor_bytes(b"") + cbor_bytes(payload)
    der = subprocess.run(["openssl", "dgst", "-" + digest, "-sign", key, "-binary"], input=sig_structure,
                         stdout=subprocess.PIPE, check=True).stdout
    signature = der_to_raw(der, size)
    return head(4, 4) + cbor_bytes(protected) + head(5, 0) + cbor_bytes(payload) + cbor_bytes(signature)


def signature_section(cert, cose):
    """EifSignature = Vec<PcrSignature>: an array of maps {signing_certificate, signature}."""
    return (head(4, 1) + head(5, 2) + cbor_text("signing_certificate") + cbor_u8_array(cert) +
            cbor_text("signature") + cbor_u8_array(cose))


def append_signature(eif, section):
    """EifSigner::write_signature for an unsigned EIF, then update_crc."""
    fields = list(struct.unpack_from(HEADER, eif))
    nsec = fields[6]
    fields[7 + nsec] = len(eif)
    fields[7 + 32 + nsec] = len(section)
    fields[6] = nsec + 1
    fields[-1] = 0
    out = struct.pack(HEADER, *fields) + eif[struct.calcsize(HEADER):] + struct.pack(SECTION, SIGNATURE, 0, len(section)) + section
    crc = zlib.crc32(out[:0x220] + out[0x224:])
    return out[:0x220] + struct.pack(">I", crc) + out[0x224:]


def sign(eif, key, cert, alg="ES384", value=None, index=0, flip=False):
    # PcrInfo {register_index: i32, register_value: Vec<u8>}, serde_cbor's to_vec.
    payload = (head(5, 2) + cbor_text("register_index") + cbor_int(index) +
               cbor_text("register_value") + cbor_u8_array(value if value is not None else pcr0(eif)))
    cose = bytearray(cose_sign1(payload, key, alg))
    if flip:
        cose[-1] ^= 1
    return signature_section(cert, bytes(cose))


def demo():
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as tmp:
        key = os.path.join(tmp, "key.pem")
        cert = os.path.join(here, "demo-signed.cert.pem")
        subprocess.run(["openssl", "ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", key], check=True)
        subprocess.run(["openssl", "req", "-new", "-x509", "-key", key, "-sha384", "-days", "3650",
                        "-subj", "/O=ccgov test data/CN=throwaway EIF signer (not a real key)", "-out", cert],
                       check=True)
        eif = open(os.path.join(here, "demo.eif"), "rb").read()
        section = sign(eif, key, open(cert, "rb").read())
    open(os.path.join(here, "demo-signed.eif"), "wb").write(append_signature(eif, section))


def fuzz_seed(out):
    parts = ((KERNEL, b"k"), (CMDLINE, b"c"), (RAMDISK, b"r"))
    size, pos = struct.calcsize(SECTION), struct.calcsize(HEADER)
    offsets = [pos + i * (size + 1) for i in range(3)] + [0] * 29
    eif = struct.pack(HEADER, b".eif", 4, 0, 0, 0, 0, 3, *offsets, *([1] * 3 + [0] * 29), 0, 0)
    eif += b"".join(struct.pack(SECTION, kind, 0, 1) + data for kind, data in parts)
    with tempfile.TemporaryDirectory() as tmp:
        key, cert = os.path.join(tmp, "key.pem"), os.path.join(tmp, "cert.pem")
        subprocess.run(["openssl", "ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", key], check=True)
        subprocess.run(["openssl", "req", "-new", "-x509", "-key", key, "-sha384", "-days", "3650",
                        "-subj", "/CN=throwaway fuzz seed signer (not a real key)", "-out", cert], check=True)
        open(out, "wb").write(sign(eif, key, open(cert, "rb").read()))


def main(argv):
    if argv[:1] == ["demo"]:
        return demo()
    if argv[:1] == ["fuzz-seed"] and len(argv) == 2:
        return fuzz_seed(argv[1])
    if argv[:1] == ["section"] and len(argv) == 4:
        eif = open(argv[1], "rb").read()
        open(argv[2], "wb").write(append_signature(eif, open(argv[3], "rb").read()))
        return None
    if argv[:1] != ["sign"] or len(argv) < 5:
        sys.exit(__doc__)
    eif, out, key, cert = open(argv[1], "rb").read(), argv[2], argv[3], open(argv[4], "rb").read()
    opts, rest = {}, argv[5:]
    while rest:
        name = rest.pop(0)
        opts[name] = True if name == "--flip-signature" else rest.pop(0)
    section = sign(eif, key, cert, opts.get("--alg", "ES384"),
                   bytes.fromhex(opts["--pcr0"]) if "--pcr0" in opts else None,
                   int(opts.get("--index", 0)), "--flip-signature" in opts)
    cut = int(opts.get("--cut", 0))
    open(out, "wb").write(append_signature(eif, section[:len(section) - cut]))
    return None


if __name__ == "__main__":
    main(sys.argv[1:])
