#!/usr/bin/env python3
"""Regenerate vectors.tsv and dump-vmsa.tsv by running the real sev-snp-measure.

    cd testdata/measure/sev-snp
    python3 gen-inputs.py            # (re)create the inputs; sha256sum -c SHA256SUMS
    python3 gen-vectors.py [--tool PATH/sev-snp-measure.py] [--debian-ovmf PATH]

Defaults: --tool /var/tmp/snp-ref/sev-snp-measure/sev-snp-measure.py
(virtee/sev-snp-measure commit 8f2b337e38bc83f87cd30f3253cdfe8e3e12cc3a,
`--version` = 0.0.13) and --debian-ovmf /usr/share/ovmf/OVMF.fd.

The tool runs with cwd = this directory (so input paths are relative to it),
env COLUMNS=80 LC_ALL=C.UTF-8.  The literal argument token `$DEBIAN_OVMF` is
replaced by the Debian OVMF path when running, and kept as the token in the
output files.  Every listed case must exit 0 with an empty stderr; anything
else aborts the generation (vectors only cover successful measurements).

vectors.tsv   ID <TAB> EXPECTED_STDOUT <TAB> ARG1 <TAB> ARG2 ...
dump-vmsa.tsv ID <TAB> EXPECTED_STDOUT <TAB> sha256(vmsa0.bin),sha256(vmsa1.bin),... <TAB> ARG1 ...
(EXPECTED_STDOUT without its trailing newline; the last ARG is never empty.)
"""
import argparse
import glob
import hashlib
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEB = "$DEBIAN_OVMF"

ap = argparse.ArgumentParser()
ap.add_argument("--tool", default="/var/tmp/snp-ref/sev-snp-measure/sev-snp-measure.py")
ap.add_argument("--debian-ovmf", default="/usr/share/ovmf/OVMF.fd")
opts = ap.parse_args()
ENV = dict(os.environ, COLUMNS="80", LC_ALL="C.UTF-8", PYTHONDONTWRITEBYTECODE="1")


def sha256_file(p):
    with open(p, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


# ---------------------------------------------------------------- the cases
V = []          # (id, [args]) for vectors.tsv
D = []          # (id, [args]) for dump-vmsa.tsv
_ids = set()
_argsets = set()


def add(id_, *args, dump=False):
    args = list(args)
    assert id_ not in _ids, "duplicate id " + id_
    if tuple(args) in _argsets:      # same command line already listed under another id
        return
    assert args[-1] != "", id_ + ": last argument must not be empty (TSV)"
    assert not any("\t" in a or "\n" in a for a in args), id_
    _ids.add(id_)
    _argsets.add(tuple(args))
    (D if dump else V).append((id_, args))


GOOD = ["kh.fd", "kh-other.fd", "nokh.fd", "nometa.fd", "svsm-ovmf.fd"]
KHS = ["kh.fd", "kh-other.fd"]           # images with kernel-hashes support
stem = lambda f: "deb" if f == DEB else f.rsplit(".", 1)[0]
K, I = "kernel.bin", "initrd.bin"
EPYC_TYPES = ["EPYC", "EPYC-v1", "EPYC-v2", "EPYC-IBPB", "EPYC-v3", "EPYC-v4",
              "EPYC-Rome", "EPYC-Rome-v1", "EPYC-Rome-v2", "EPYC-Rome-v3",
              "EPYC-Milan", "EPYC-Milan-v1", "EPYC-Milan-v2",
              "EPYC-Genoa", "EPYC-Genoa-v1", "EPYC-Turin"]


def snp(n, f, *extra, id_):
    add(id_, "--mode", "snp", "--vcpus", str(n), *extra, "--ovmf", f)


def seves(n, f, *extra, id_):
    add(id_, "--mode", "seves", "--vcpus", str(n), *extra, "--ovmf", f)


def sev(f, *extra, id_):
    add(id_, "--mode", "sev", *extra, "--ovmf", f)


# --- snp:ovmf-hash on every good image (and svsm.bin, Debian OVMF)
for f in GOOD + ["svsm.bin", DEB]:
    add("ovmfhash-" + stem(f), "--mode", "snp:ovmf-hash", "--ovmf", f)
# snp:ovmf-hash ignores every other option (always lower-case hex, no prefix)
add("ovmfhash-ignores-base64", "--mode", "snp:ovmf-hash", "--output-format", "base64", "--ovmf", "kh.fd")
add("ovmfhash-ignores-verbose", "--mode", "snp:ovmf-hash", "-v", "--ovmf", "kh.fd")
add("ovmfhash-ignores-vcpus-kernel", "--mode", "snp:ovmf-hash", "--vcpus", "4", "--vcpu-type", "EPYC",
    "--kernel", K, "--ovmf", "kh-other.fd")

# --- snp, QEMU: every vCPU count 1..64 on kh.fd, then 65/128/512
for n in range(1, 65):
    snp(n, "kh.fd", "--vcpu-type", "EPYC-v4", id_="snp-vcpus-kh-%d" % n)
for n in (65, 128, 512):
    snp(n, "kh.fd", "--vcpu-type", "EPYC-v4", id_="snp-vcpus-kh-%d" % n)
for f in ["nokh.fd", "nometa.fd", "kh-other.fd", "svsm-ovmf.fd", DEB]:
    for n in (1, 2, 3, 8, 64):
        snp(n, f, "--vcpu-type", "EPYC-v4", id_="snp-vcpus-%s-%d" % (stem(f), n))
snp(65, "kh-other.fd", "--vcpu-type", "EPYC-Milan", id_="snp-vcpus-kh-other-65")

# --- seves, QEMU: vCPU counts
for n in (1, 2, 3, 4, 8, 16, 64, 65, 128, 512):
    seves(n, "kh.fd", "--vcpu-type", "EPYC-v4", id_="seves-vcpus-kh-%d" % n)
for f in ["nokh.fd", "nometa.fd", "kh-other.fd", "svsm-ovmf.fd", DEB]:
    for n in (1, 2, 5):
        seves(n, f, "--vcpu-type", "EPYC-v4", id_="seves-vcpus-%s-%d" % (stem(f), n))

# --- every --vcpu-type: snp 2 vCPUs, seves 2 vCPUs, snp 1 vCPU (other image)
for t in EPYC_TYPES:
    snp(2, "kh.fd", "--vcpu-type", t, id_="snp-type-2-" + t)
    seves(2, "kh.fd", "--vcpu-type", t, id_="seves-type-2-" + t)
    snp(1, "kh-other.fd", "--vcpu-type", t, id_="snp-type-1-" + t)

# --- --vcpu-sig forms (parsed like Python int(s, 0); stored as u64)
SIGS = [("hex", "0x800f12"), ("hexupper", "0X800F12"), ("hexmixed", "0xA10f11"), ("dec", "8392466"),
        ("oct", "0o40007422"), ("octupper", "0O40007422"), ("bin", "0b100000000000111100010010"),
        ("binupper", "0B100000000000111100010010"), ("hexunderscore", "0x80_0f12"),
        ("decunderscore", "8_392_466"), ("zero", "0"), ("hexzero", "0x0"), ("u32max", "0xffffffff"),
        ("33bit", "0x123456789"), ("u64max", "0xffffffffffffffff"), ("minus1", "-1"),
        ("turin", "0xb00f00")]
for name, s in SIGS:
    snp(2, "kh.fd", "--vcpu-sig", s, id_="snp-sig-" + name)
for name, s in [("hex", "0xa10f11"), ("minus1", "-1"), ("33bit", "0x123456789"), ("zero", "0")]:
    seves(2, "kh.fd", "--vcpu-sig", s, id_="seves-sig-" + name)
    snp(3, "kh-other.fd", "--vcpu-sig", s, id_="snp-sig-other-" + name)

# --- --vcpu-family/--vcpu-model/--vcpu-stepping (decimal ints, signed 64-bit range)
FMS = [("epyc", 23, 1, 2), ("rome", 23, 49, 0), ("milan", 25, 1, 1), ("genoa", 25, 17, 0),
       ("turin", 26, 0, 0), ("f25m160", 25, 160, 2), ("f15", 15, 255, 15), ("f16", 16, 0, 0),
       ("f6", 6, 85, 7), ("f0", 0, 0, 0), ("oversize", 300, 300, 20), ("f271", 271, 1, 1),
       ("bigmodel", 25, 9223372036854775807, 1), ("bigfamily", 9223372036854775807, 1, 1),
       ("famminus1", -1, 0, 0), ("modelstepminus1", 25, -1, -1),
       ("famint64min", -9223372036854775808, 0, 0), ("stepbig", 25, 1, 4096 + 17)]
for name, f, m, s in FMS:
    snp(2, "kh.fd", "--vcpu-family", str(f), "--vcpu-model", str(m), "--vcpu-stepping", str(s),
        id_="snp-fms-" + name)
for name, f, m, s in FMS[:3] + FMS[6:8] + FMS[12:15]:
    seves(2, "kh.fd", "--vcpu-family", str(f), "--vcpu-model", str(m), "--vcpu-stepping", str(s),
          id_="seves-fms-" + name)
# precedence: family > sig > type; stray model/stepping without family are ignored
snp(2, "kh.fd", "--vcpu-family", "25", "--vcpu-model", "17", "--vcpu-stepping", "0",
    "--vcpu-sig", "0x800f12", "--vcpu-type", "EPYC", id_="snp-prec-fms-over-sig-type")
snp(2, "kh.fd", "--vcpu-type", "EPYC-Rome", "--vcpu-family", "26", "--vcpu-model", "0",
    "--vcpu-stepping", "0", id_="snp-prec-fms-over-type")
snp(2, "kh.fd", "--vcpu-sig", "0xa10f11", "--vcpu-type", "EPYC", id_="snp-prec-sig-over-type")
snp(2, "kh.fd", "--vcpu-family", "0", "--vcpu-model", "0", "--vcpu-stepping", "0",
    "--vcpu-sig", "0x800f12", id_="snp-prec-fms0-over-sig")
snp(2, "kh.fd", "--vcpu-sig", "0", "--vcpu-type", "EPYC-Turin", id_="snp-prec-sig0-over-type")
snp(2, "kh.fd", "--vcpu-model", "17", "--vcpu-stepping", "0", "--vcpu-type", "EPYC",
    id_="snp-prec-model-without-family-ignored")
seves(2, "kh.fd", "--vcpu-sig", "0x123", "--vcpu-family", "25", "--vcpu-model", "1",
      "--vcpu-stepping", "1", id_="seves-prec-fms-over-sig")

# --- VMM types x mode x kernel x vCPUs
KFULL = ["--kernel", K, "--initrd", I, "--append", "console=ttyS0"]
for m in ("snp", "seves"):
    for vmm in ("QEMU", "ec2", "gce"):
        for kname, kargs in (("nok", []), ("k", KFULL)):
            for n in (1, 2, 4):
                add("%s-vmm-%s-%s-%d" % (m, vmm, kname, n), "--mode", m, "--vcpus", str(n),
                    "--vcpu-type", "EPYC-Milan", "--vmm-type", vmm, *kargs, "--ovmf", "kh.fd")
    for vmm in ("ec2", "gce"):
        for f in ("kh.fd", "kh-other.fd", "nokh.fd", "nometa.fd", DEB):
            add("%s-vmm-%s-novcpuopt-%s" % (m, vmm, stem(f)), "--mode", m, "--vcpus", "2",
                "--vmm-type", vmm, "--ovmf", f)
        add("%s-vmm-%s-sig-ignored" % (m, vmm), "--mode", m, "--vcpus", "2", "--vmm-type", vmm,
            "--vcpu-sig", "0x123", "--ovmf", "kh.fd")
        add("%s-vmm-%s-kh-other-k-3" % (m, vmm), "--mode", m, "--vcpus", "3", "--vmm-type", vmm,
            *KFULL, "--ovmf", "kh-other.fd")
for vmm in ("ec2", "gce"):
    snp(2, "kh.fd", "--vmm-type", vmm, "--guest-features", "0x21", id_="snp-vmm-%s-gf21" % vmm)
    sev("kh.fd", "--vmm-type", vmm, id_="sev-vmm-%s-ignored" % vmm)
snp(1, "kh.fd", "--vmm-type", "QEMU", "--vcpu-type", "EPYC", id_="snp-vmm-QEMU-explicit")

# --- kernel / initrd / append, in snp (1 vCPU), seves (1 vCPU) and sev, on kh.fd and kh-other.fd
KCOMBOS = [
    ("k", ["--kernel", K]),
    ("ki", ["--kernel", K, "--initrd", I]),
    ("ka", ["--kernel", K, "--append", "console=ttyS0"]),
    ("kia", KFULL),
    ("ka-utf8", ["--kernel", K, "--initrd", I, "--append", "console=ttyS0 é"]),
    ("ka-long", ["--kernel", K, "--append", " ".join("opt%d=value%d" % (j, j) for j in range(40))]),
    ("ka-spaces", ["--kernel", K, "--append", "  console=ttyS0   quiet  "]),
    ("kempty", ["--kernel", "empty.bin"]),
    ("kdevnull", ["--kernel", "/dev/null"]),
    ("kdevnull-idevnull", ["--kernel", "/dev/null", "--initrd", "/dev/null"]),
    ("k-iempty", ["--kernel", K, "--initrd", "empty.bin"]),
    ("k-iemptystr", ["--kernel", K, "--initrd", ""]),
    ("k-aemptystr", ["--kernel", K, "--append", ""]),
    ("k-iemptystr-aemptystr", ["--kernel", K, "--initrd", "", "--append", ""]),
    ("kinitrd-swapped", ["--kernel", I, "--initrd", K]),
]
for f in KHS:
    for kn, kargs in KCOMBOS:
        snp(1, f, "--vcpu-type", "EPYC-v4", *kargs, id_="snp-%s-%s" % (kn, stem(f)))
        seves(1, f, "--vcpu-type", "EPYC-v4", *kargs, id_="seves-%s-%s" % (kn, stem(f)))
        sev(f, *kargs, id_="sev-%s-%s" % (kn, stem(f)))
# kernel with several vCPUs / other CPU / guest features
for n in (2, 8):
    snp(n, "kh.fd", "--vcpu-type", "EPYC-Genoa", "--guest-features", "0x21", *KFULL,
        id_="snp-kia-genoa-gf21-%d" % n)
    seves(n, "kh-other.fd", "--vcpu-type", "EPYC-Genoa", *KFULL, id_="seves-kia-genoa-kh-other-%d" % n)
# empty strings meaning "absent"
snp(1, "kh.fd", "--vcpu-type", "EPYC-v4", "--kernel", "", id_="snp-kemptystr-is-nokernel")
sev("kh.fd", "--kernel", "", id_="sev-kemptystr-is-nokernel")
snp(1, "kh.fd", "--vcpu-type", "EPYC-v4", "--append", "", id_="snp-aemptystr-without-kernel")
snp(1, "nokh.fd", "--vcpu-type", "EPYC-v4", "--append", "", id_="snp-aemptystr-without-kernel-nokh")

# --- guest features (snp only; seves forces 0, sev ignores)
GF = [("default", None), ("0x1", "0x1"), ("0x21", "0x21"), ("0", "0"), ("0x0", "0x0"), ("0x5", "0x5"),
      ("dec33", "33"), ("0x3f", "0x3f"), ("u64max", "0xffffffffffffffff"), ("minus1", "-1"),
      ("bin", "0b100001"), ("hexupper", "0X21"), ("oct", "0o41"), ("underscore", "0x_21")]
for name, gf in GF:
    extra = [] if gf is None else ["--guest-features", gf]
    snp(2, "kh.fd", "--vcpu-type", "EPYC-v4", *extra, id_="snp-gf-" + name)
for name, gf in [("0x21", "0x21"), ("0", "0"), ("minus1", "-1")]:
    snp(1, "kh-other.fd", "--vcpu-type", "EPYC-Genoa", "--guest-features", gf, id_="snp-gf-other-" + name)
    seves(2, "kh.fd", "--vcpu-type", "EPYC-v4", "--guest-features", gf, id_="seves-gf-ignored-" + name)
sev("kh.fd", "--guest-features", "0x21", id_="sev-gf-ignored")

# --- --snp-ovmf-hash H (replaces the initial digest; OVMF contents not hashed).
# H values are filled in at run time from snp:ovmf-hash (placeholders below).
snp(2, "kh.fd", "--vcpu-type", "EPYC-v4", "--snp-ovmf-hash", "@H:kh.fd", id_="snp-ovmfhash-arg-match")
snp(2, "kh.fd", "--vcpu-type", "EPYC-v4", "--snp-ovmf-hash", "@HU:kh.fd", id_="snp-ovmfhash-arg-upper")
snp(2, "kh.fd", "--vcpu-type", "EPYC-v4", "--snp-ovmf-hash", "@HS:kh.fd", id_="snp-ovmfhash-arg-spaces")
snp(2, "kh.fd", "--vcpu-type", "EPYC-v4", "--snp-ovmf-hash", "@H:kh-other.fd", id_="snp-ovmfhash-arg-otherfile")
snp(2, "kh.fd", "--vcpu-type", "EPYC-v4", "--snp-ovmf-hash", "00" * 48, id_="snp-ovmfhash-arg-zeros")
snp(2, "kh.fd", "--vcpu-type", "EPYC-v4", "--snp-ovmf-hash", "0123456789abcdef" * 6, id_="snp-ovmfhash-arg-other")
snp(1, "kh.fd", "--vcpu-type", "EPYC-v4", "--snp-ovmf-hash", "@H:kh.fd", *KFULL, id_="snp-ovmfhash-arg-kia")
snp(1, "kh-other.fd", "--vcpu-type", "EPYC-v4", "--snp-ovmf-hash", "@H:kh-other.fd", *KFULL,
    id_="snp-ovmfhash-arg-kh-other-kia")
snp(2, "nometa.fd", "--vcpu-type", "EPYC-v4", "--snp-ovmf-hash", "@H:nometa.fd", id_="snp-ovmfhash-arg-nometa")
snp(2, DEB, "--vcpu-type", "EPYC-v4", "--snp-ovmf-hash", "@H:" + DEB, id_="snp-ovmfhash-arg-deb")
for vmm in ("ec2", "gce"):
    snp(4, "kh.fd", "--vmm-type", vmm, "--snp-ovmf-hash", "@H:kh.fd", id_="snp-ovmfhash-arg-" + vmm)
snp(1, "kh.fd", "--vcpu-type", "EPYC-v4", "--snp-ovmf-hash", "", id_="snp-ovmfhash-arg-emptystr-is-absent")

# --- sev and seves on every good image, with and without kernel
for f in GOOD + ["svsm.bin", DEB]:
    sev(f, id_="sev-" + stem(f))
for f in GOOD + [DEB]:
    seves(2, f, "--vcpu-type", "EPYC", id_="seves-plain-" + stem(f))
    snp(2, f, "--vcpu-type", "EPYC", id_="snp-plain-" + stem(f))
sev("kh.fd", "--vcpus", "4", "--vcpu-type", "EPYC-Milan", id_="sev-vcpu-options-ignored")
sev("kh.fd", "--vcpu-family", "25", id_="sev-incomplete-family-ignored")

# --- output format / verbose in every mode
MODES = [("snp", ["--mode", "snp", "--vcpus", "2", "--vcpu-type", "EPYC-v4"], "kh.fd"),
         ("seves", ["--mode", "seves", "--vcpus", "2", "--vcpu-type", "EPYC-v4"], "kh.fd"),
         ("sev", ["--mode", "sev"], "kh.fd"),
         ("svsm", ["--mode", "snp:svsm", "--vcpus", "2", "--vcpu-type", "EPYC-v4", "--svsm", "svsm.bin",
                   "--vars-file", "vars.fd"], "svsm-ovmf.fd"),
         ("ovmfhash", ["--mode", "snp:ovmf-hash"], "kh-other.fd")]
for mname, margs, f in MODES:
    for fname, fargs in (("hex", ["--output-format", "hex"]), ("base64", ["--output-format", "base64"]),
                         ("v", ["-v"]), ("verbose", ["--verbose"]),
                         ("v-base64", ["-v", "--output-format", "base64"]),
                         ("v-hex", ["--output-format", "hex", "-v"])):
        add("fmt-%s-%s" % (mname, fname), *margs, *fargs, "--ovmf", f)
add("fmt-snp-kia-base64-v", "--mode", "snp", "--vcpus", "1", "--vcpu-type", "EPYC", *KFULL,
    "--output-format", "base64", "-v", "--ovmf", "kh-other.fd")
add("fmt-sev-kia-base64", "--mode", "sev", *KFULL, "--output-format", "base64", "--ovmf", "kh.fd")

# --- snp:svsm (QEMU only)
SV = ["--svsm", "svsm.bin"]
for n in (1, 2, 3, 4, 8):
    add("svsm-varssize-%d" % n, "--mode", "snp:svsm", "--vcpus", str(n), "--vcpu-type", "EPYC-v4",
        "--ovmf", "svsm-ovmf.fd", *SV, "--vars-size", "12288")
for n in (1, 2, 4):
    add("svsm-varsfile-%d" % n, "--mode", "snp:svsm", "--vcpus", str(n), "--vcpu-type", "EPYC-v4",
        "--ovmf", "svsm-ovmf.fd", *SV, "--vars-file", "vars.fd")
for t in ("EPYC", "EPYC-Rome-v2", "EPYC-Milan", "EPYC-Genoa-v1", "EPYC-Turin"):
    add("svsm-type-" + t, "--mode", "snp:svsm", "--vcpus", "2", "--vcpu-type", t,
        "--ovmf", "svsm-ovmf.fd", *SV, "--vars-size", "12288")
add("svsm-sig", "--mode", "snp:svsm", "--vcpus", "2", "--vcpu-sig", "0xa10f11",
    "--ovmf", "svsm-ovmf.fd", *SV, "--vars-size", "12288")
add("svsm-sig-minus1", "--mode", "snp:svsm", "--vcpus", "2", "--vcpu-sig", "-1",
    "--ovmf", "svsm-ovmf.fd", *SV, "--vars-size", "12288")
add("svsm-fms", "--mode", "snp:svsm", "--vcpus", "2", "--vcpu-family", "25", "--vcpu-model", "17",
    "--vcpu-stepping", "1", "--ovmf", "svsm-ovmf.fd", *SV, "--vars-size", "12288")
for vs in ("540672", "131072", "4096"):
    add("svsm-varssize-" + vs, "--mode", "snp:svsm", "--vcpus", "2", "--vcpu-type", "EPYC-v4",
        "--ovmf", "svsm-ovmf.fd", *SV, "--vars-size", vs)
# Not: --vars-size 12345, which upstream measures with the SVSM at a GPA that is
# not page aligned; ccgov refuses it (tests/measure_sev.bats).
add("svsm-ovmf-kh", "--mode", "snp:svsm", "--vcpus", "2", "--vcpu-type", "EPYC-v4",
    "--ovmf", "kh.fd", *SV, "--vars-file", "vars.fd")
add("svsm-ovmf-deb", "--mode", "snp:svsm", "--vcpus", "2", "--vcpu-type", "EPYC-v4",
    "--ovmf", DEB, *SV, "--vars-size", "540672")
add("svsm-kernel-gf-ignored", "--mode", "snp:svsm", "--vcpus", "2", "--vcpu-type", "EPYC-v4",
    "--guest-features", "0x21", *KFULL, "--ovmf", "svsm-ovmf.fd", *SV, "--vars-size", "12288")
add("svsm-vmm-QEMU-explicit", "--mode", "snp:svsm", "--vcpus", "2", "--vcpu-type", "EPYC-v4",
    "--vmm-type", "QEMU", "--ovmf", "svsm-ovmf.fd", *SV, "--vars-size", "12288")
add("svsm-eqform", "--mode=snp:svsm", "--vcpus=4", "--vcpu-type=EPYC-Milan", "--ovmf=svsm-ovmf.fd",
    "--svsm=svsm.bin", "--vars-file=vars.fd")

# --- argparse conveniences
add("cli-eqform-snp", "--mode=snp", "--vcpus=2", "--vcpu-type=EPYC-v4", "--ovmf=kh.fd")
add("cli-eqform-kia", "--mode=snp", "--vcpus=1", "--vcpu-type=EPYC-v4", "--kernel=kernel.bin",
    "--initrd=initrd.bin", "--append=console=ttyS0 root=/dev/vda1", "--ovmf=kh.fd")
add("cli-eqform-append-empty", "--mode=sev", "--kernel=kernel.bin", "--append=", "--ovmf=kh.fd")
add("cli-eqform-vmm", "--mode=seves", "--vcpus=3", "--vmm-type=ec2", "--ovmf=kh-other.fd")
add("cli-eqform-negative", "--mode=snp", "--vcpus=2", "--vcpu-sig=-1", "--guest-features=-1", "--ovmf=kh.fd")
add("cli-abbrev-vcpu-t", "--mode", "snp", "--vcpus", "2", "--vcpu-t", "EPYC", "--ovmf", "kh.fd")
add("cli-abbrev-many", "--mo", "snp", "--vcpus", "2", "--vcpu-ty", "EPYC-Genoa", "--ov", "kh.fd",
    "--out", "base64", "--guest", "0x21", "--verb")
add("cli-abbrev-sig-kernel", "--mode", "snp", "--vcpus", "1", "--vcpu-si", "0x800f12", "--kern", K,
    "--init", I, "--app", "console=ttyS0", "--ovmf", "kh.fd")
add("cli-abbrev-fms", "--mode", "snp", "--vcpus", "2", "--vcpu-f", "25", "--vcpu-m", "1", "--vcpu-st", "1",
    "--ovmf", "kh.fd")
add("cli-abbrev-svsm", "--mode", "snp:svsm", "--vcpus", "2", "--vcpu-type", "EPYC-v4", "--ovmf",
    "svsm-ovmf.fd", "--svs", "svsm.bin", "--vars-f", "vars.fd")
add("cli-abbrev-ovmfhash", "--mode", "snp:svsm", "--mode", "snp", "--vcpus", "2", "--vcpu-type",
    "EPYC-v4", "--snp", "@H:kh.fd", "--ovmf", "kh.fd")
add("cli-twice-mode", "--mode", "sev", "--mode", "snp", "--vcpus", "2", "--vcpu-type", "EPYC-v4", "--ovmf", "kh.fd")
add("cli-twice-vcpus", "--mode", "snp", "--vcpus", "1", "--vcpus", "3", "--vcpu-type", "EPYC-v4", "--ovmf", "kh.fd")
add("cli-twice-type", "--mode", "snp", "--vcpus", "2", "--vcpu-type", "EPYC", "--vcpu-type", "EPYC-Turin",
    "--ovmf", "kh.fd")
add("cli-twice-ovmf", "--mode", "snp", "--vcpus", "2", "--vcpu-type", "EPYC-v4", "--ovmf", "nokh.fd",
    "--ovmf", "kh.fd")
add("cli-twice-kernel", "--mode", "snp", "--vcpus", "1", "--vcpu-type", "EPYC-v4", "--kernel", "empty.bin",
    "--kernel", K, "--append", "a", "--append", "console=ttyS0", "--ovmf", "kh.fd")
add("cli-twice-format", "--mode", "seves", "--vcpus", "2", "--vcpu-type", "EPYC-v4", "--output-format",
    "base64", "--output-format", "hex", "--ovmf", "kh.fd")
add("cli-twice-vmm", "--mode", "snp", "--vcpus", "2", "--vmm-type", "QEMU", "--vmm-type", "gce", "--ovmf", "kh.fd")
add("cli-twice-varssize", "--mode", "snp:svsm", "--vcpus", "2", "--vcpu-type", "EPYC-v4", "--ovmf",
    "svsm-ovmf.fd", "--svsm", "svsm.bin", "--vars-size", "4096", "--vars-size", "12288")
add("cli-shuffled-snp", "--ovmf", "kh.fd", "--vcpu-type", "EPYC-v4", "--vcpus", "2", "--mode", "snp")
add("cli-shuffled-kia", "--append", "console=ttyS0", "-v", "--ovmf", "kh.fd", "--initrd", I,
    "--vcpu-type", "EPYC-Milan", "--kernel", K, "--vmm-type", "QEMU", "--vcpus", "4", "--mode", "snp")
add("cli-shuffled-seves", "--vcpu-type", "EPYC-v4", "--ovmf", "kh.fd", "--mode", "seves", "--vcpus", "2")
add("cli-shuffled-svsm", "--vars-file", "vars.fd", "--svsm", "svsm.bin", "--vcpu-type", "EPYC-v4",
    "--ovmf", "svsm-ovmf.fd", "--vcpus", "2", "--mode", "snp:svsm")

# --- --dump-vmsa (separate file; upstream writes vmsa<i>.bin into the cwd)
add("dump-snp-qemu-2", "--mode", "snp", "--vcpus", "2", "--vcpu-type", "EPYC-v4", "--dump-vmsa",
    "--ovmf", "kh.fd", dump=True)
add("dump-snp-qemu-3-kh-other-sig", "--mode", "snp", "--vcpus", "3", "--vcpu-sig", "-1",
    "--guest-features", "0x21", "--dump-vmsa", "--ovmf", "kh-other.fd", dump=True)
add("dump-snp-ec2-2", "--mode", "snp", "--vcpus", "2", "--vmm-type", "ec2", "--guest-features", "0x21",
    "--dump-vmsa", "--ovmf", "kh.fd", dump=True)
add("dump-snp-gce-2", "--mode", "snp", "--vcpus", "2", "--vmm-type", "gce", "--dump-vmsa",
    "--ovmf", "kh.fd", dump=True)
add("dump-seves-qemu-2", "--mode", "seves", "--vcpus", "2", "--vcpu-type", "EPYC-Milan", "--dump-vmsa",
    "--ovmf", "kh.fd", dump=True)
add("dump-seves-ec2-2", "--mode", "seves", "--vcpus", "2", "--vmm-type", "ec2", "--dump-vmsa",
    "--ovmf", "kh.fd", dump=True)
add("dump-seves-gce-3", "--mode", "seves", "--vcpus", "3", "--vmm-type", "gce", "--dump-vmsa",
    "--ovmf", "kh-other.fd", dump=True)
add("dump-svsm-2", "--mode", "snp:svsm", "--vcpus", "2", "--vcpu-type", "EPYC-v4", "--dump-vmsa",
    "--ovmf", "svsm-ovmf.fd", "--svsm", "svsm.bin", "--vars-file", "vars.fd", dump=True)
add("dump-snp-qemu-1-kia", "--mode", "snp", "--vcpus", "1", "--vcpu-type", "EPYC-Turin", *KFULL,
    "--dump-vmsa", "--ovmf", "kh.fd", dump=True)


# ---------------------------------------------------------------- running
def run(args, cwd, resolve):
    argv = [resolve(a) for a in args]
    p = subprocess.run([sys.executable, opts.tool, *argv], cwd=cwd, env=ENV, capture_output=True)
    out, err = p.stdout.decode("utf-8"), p.stderr.decode("utf-8", "replace")
    if p.returncode != 0 or err or not out.endswith("\n") or out.count("\n") != 1:
        sys.exit("case %r: exit %d, stdout %r, stderr %r" % (args, p.returncode, out, err))
    return out[:-1]


def rel_resolver(a):
    return a.replace(DEB, opts.debian_ovmf)


OVMF_HASH = {}


def placeholder(a):
    """@H:file / @HU:file / @HS:file -> snp:ovmf-hash of file (as is /
    upper-case / bytes separated by spaces)."""
    if not a.startswith("@H"):
        return a
    kind, f = a[1:].split(":", 1)
    if f not in OVMF_HASH:
        OVMF_HASH[f] = run(["--mode", "snp:ovmf-hash", "--ovmf", f], HERE, rel_resolver)
    h = OVMF_HASH[f]
    return {"H": h, "HU": h.upper(), "HS": " ".join(h[i:i + 2] for i in range(0, len(h), 2))}[kind]


def main():
    os.chdir(HERE)
    # inputs must match SHA256SUMS (regenerate with gen-inputs.py)
    for line in open("SHA256SUMS"):
        h, name = line.split()
        if sha256_file(name) != h:
            sys.exit("input %s does not match SHA256SUMS; run gen-inputs.py" % name)
    deb_sha = sha256_file(opts.debian_ovmf)
    version = subprocess.run([sys.executable, opts.tool, "--version"], capture_output=True,
                             env=ENV).stdout.decode().strip()
    head = [
        "# sev-snp-measure test vectors for `ccgov measure sev-snp` (generated by gen-vectors.py; do not edit)",
        "# tool: virtee/sev-snp-measure commit 8f2b337e38bc83f87cd30f3253cdfe8e3e12cc3a (%s)" % version,
        "# cwd = this directory; paths are relative to it; $DEBIAN_OVMF = Debian's /usr/share/ovmf/OVMF.fd,"
        " sha256 %s" % deb_sha,
    ]
    rows = []
    for id_, args in V:
        args = [placeholder(a) for a in args]
        rows.append("\t".join([id_, run(args, HERE, rel_resolver), *args]))
    with open("vectors.tsv", "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(head + ["# format: ID<TAB>EXPECTED_STDOUT(no trailing newline)<TAB>ARG1<TAB>ARG2..."]
                          + rows) + "\n")

    drows = []
    for id_, args in D:
        args = [placeholder(a) for a in args]
        with tempfile.TemporaryDirectory() as tmp:
            def absres(a):
                a = rel_resolver(a)
                return os.path.join(HERE, a) if os.path.exists(os.path.join(HERE, a)) and a else a
            out = run(args, tmp, absres)
            files = sorted(glob.glob(os.path.join(tmp, "vmsa*.bin")),
                           key=lambda p: int(os.path.basename(p)[4:-4]))
            assert [os.path.basename(p) for p in files] == ["vmsa%d.bin" % i for i in range(len(files))]
            assert all(os.path.getsize(p) == 4096 for p in files)
            sums = ",".join(sha256_file(p) for p in files)
        drows.append("\t".join([id_, out, sums, *args]))
    with open("dump-vmsa.tsv", "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(head + ["# format: ID<TAB>EXPECTED_STDOUT<TAB>sha256(vmsa0.bin),sha256(vmsa1.bin),..."
                                  "<TAB>ARG1<TAB>ARG2...  (upstream writes vmsa<i>.bin into the cwd)"]
                          + drows) + "\n")
    print("vectors.tsv: %d vectors; dump-vmsa.tsv: %d vectors" % (len(rows), len(drows)))


if __name__ == "__main__":
    main()
