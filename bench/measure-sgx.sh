#!/usr/bin/env bash
# Benchmark: ccgov measure sgx on a 1 GiB enclave against the SHA-256 limit.
#
# The input is an SGXS stream of a 1 GiB enclave, every page added and
# fully measured (262144 EADD and 4194304 EEXTEND records: 1.27 GiB of
# records, all of them hashed), written once under $WORK. The limit is
# `openssl dgst -sha256` over the same file: MRENCLAVE cannot be computed
# faster than its input can be hashed. RUNS runs each (default 5),
# interleaved, medians of wall seconds; the page cache is warmed first.
# Target (issue 6): ccgov within 1.3x of the limit.
#
#   CCGOV=build/ccgov bench/measure-sgx.sh     (APPEND=0: print, do not append)
set -euo pipefail
cd "$(dirname "$0")/.."
CCGOV=${CCGOV:-build/ccgov}
RUNS=${RUNS:-5}
APPEND=${APPEND:-1}
WORK=${BENCH_WORK:-/var/tmp/ccgov-measure-bench}
log() { echo "bench: $*" >&2; }
mkdir -p "$WORK"
S=$WORK/enclave-1g.sgxs
if [ ! -s "$S" ]; then
	log "writing $S"
	python3 - "$S" <<'PY'
import struct, sys
size = 1 << 30
with open(sys.argv[1], 'wb') as f:
    f.write(b'ECREATE\0' + struct.pack('<IQ', 1, size) + bytes(44))
    page = bytes((i * 7 + 3) & 0xff for i in range(4096))
    for off in range(0, size, 4096):
        rec = [b'EADD\0\0\0\0' + struct.pack('<QQ', off, 0x203) + bytes(40)]
        for c in range(16):
            rec.append(b'EEXTEND\0' + struct.pack('<Q', off + 256 * c) + bytes(48) + page[256 * c:256 * c + 256])
        f.write(b''.join(rec))
PY
fi
cat "$S" >/dev/null
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
timeit() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
: >"$WORK/ccgov.times"; : >"$WORK/openssl.times"
for i in $(seq "$RUNS"); do
	timeit "$CCGOV" measure sgx --sgxs "$S" >>"$WORK/ccgov.times"
	timeit openssl dgst -sha256 "$S" >>"$WORK/openssl.times"
done
c=$(median <"$WORK/ccgov.times" | xargs printf '%.3f'); o=$(median <"$WORK/openssl.times" | xargs printf '%.3f')
ratio=$(echo "scale=4; $c / $o" | bc | xargs printf '%.2f')
mr=$("$CCGOV" measure sgx --sgxs "$S" --format json | jq -r .mrenclave)
raw=$(openssl dgst -sha256 -r "$S" | cut -d' ' -f1)
section=$(cat <<MD

## ccgov measure sgx: a 1 GiB enclave against the SHA-256 limit

$(date -u +%Y-%m-%d), $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores.
$RUNS runs each, interleaved, medians of wall seconds; page cache warm.
Command: \`CCGOV=$CCGOV RUNS=$RUNS bench/measure-sgx.sh\`. Input: an SGXS stream of a
1 GiB enclave, every page added and fully extended ($(stat -c %s "$S") bytes, all measured).

| what | median s | ratio | target |
|---|---|---|---|
| openssl dgst -sha256 over the stream (the hashing limit) | $o | 1 | |
| ccgov measure sgx --sgxs | $c | $ratio | <= 1.3 |

MRENCLAVE $mr equals the SHA-256 of the whole stream ($raw), as it must when every record is measured.
MD
)
echo "$section"
[ "$APPEND" = 0 ] || echo "$section" >>bench/RESULTS.md
