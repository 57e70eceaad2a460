#!/usr/bin/env bash
# Benchmark: ccgov measure sev-snp against virtee/sev-snp-measure, on the
# same inputs, and against the hashing limit.
#
# Inputs, written once under $WORK: a 4 MiB OVMF image with kernel hashes
# support (testdata/measure/sev-snp/kh.fd padded in front: its tables are
# addressed from the end), a 16 MiB kernel and a 64 MiB initrd, and Debian's
# /usr/share/ovmf/OVMF.fd. Cases: SNP with and without kernel and initrd,
# SEV-ES and SEV with them, SNP with 64 vCPUs. Both tools must print the
# same digest for every case, or the script stops. RUNS runs each (default
# 5), interleaved, medians of wall seconds and peak RSS (/usr/bin/time).
# The hashing limit of the big cases is `openssl dgst -sha256` of the 64 MiB
# initrd: SHA-256 of one stream cannot be split, so one core must hash all
# of it, whatever the tool. Target (issue 6): ccgov at least 10x faster.
#
# sev-snp-measure is not a Debian package: give its script as
#   SEV_SNP_MEASURE=/path/to/sev-snp-measure.py CCGOV=build/ccgov bench/measure-sev.sh
# (APPEND=0: print, do not append to bench/RESULTS.md)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CCGOV=$ROOT/${CCGOV:-build/ccgov}
RUNS=${RUNS:-5}
APPEND=${APPEND:-1}
WORK=${BENCH_WORK:-/var/tmp/ccgov-measure-bench}
PEER=${SEV_SNP_MEASURE:-}
# Debian's interpreter, as a user of the peer runs it (not a version manager's shim, which adds a shell).
PYTHON=${PYTHON:-/usr/bin/python3}
log() { echo "bench: $*" >&2; }
die() { log "$*"; exit 2; }
. bench/quiet.sh
[ -n "$PEER" ] && [ -f "$PEER" ] || die "set SEV_SNP_MEASURE to virtee/sev-snp-measure's sev-snp-measure.py"
[ -x /usr/bin/time ] || die "/usr/bin/time is needed (apt-get install time)"
DEBIAN_OVMF=/usr/share/ovmf/OVMF.fd
[ -f "$DEBIAN_OVMF" ] || die "$DEBIAN_OVMF is needed (apt-get install ovmf)"
mkdir -p "$WORK"
cd "$WORK"
if [ ! -s ovmf4m.fd ] || [ ! -s kernel16m.bin ] || [ ! -s initrd64m.bin ]; then
	log "writing the inputs in $WORK"
	kh=$ROOT/testdata/measure/sev-snp/kh.fd
	{ head -c $((4 * 1024 * 1024 - $(stat -c %s "$kh"))) /dev/zero | tr '\0' '\125'; cat "$kh"; } >ovmf4m.fd
	python3 -c 'import sys; open("kernel16m.bin","wb").write(bytes(i % 251 for i in range(1 << 16)) * 256)'
	python3 -c 'import sys; open("initrd64m.bin","wb").write(bytes((i * 7) % 253 for i in range(1 << 16)) * 1024)'
fi
cat ovmf4m.fd kernel16m.bin initrd64m.bin "$DEBIAN_OVMF" >/dev/null

BIG="--kernel kernel16m.bin --initrd initrd64m.bin --append console=ttyS0"
cases=(
	"snp, 4 MiB OVMF, 4 vCPUs|--mode snp --vcpus 4 --vcpu-type EPYC-Milan --ovmf ovmf4m.fd"
	"snp, 4 MiB OVMF, 4 vCPUs, 16 MiB kernel, 64 MiB initrd|--mode snp --vcpus 4 --vcpu-type EPYC-Milan --ovmf ovmf4m.fd $BIG"
	"seves, the same|--mode seves --vcpus 4 --vcpu-type EPYC-Milan --ovmf ovmf4m.fd $BIG"
	"sev, 4 MiB OVMF, 16 MiB kernel, 64 MiB initrd|--mode sev --ovmf ovmf4m.fd $BIG"
	"snp, Debian OVMF.fd, 64 vCPUs, ec2|--mode snp --vcpus 64 --vmm-type ec2 --ovmf $DEBIAN_OVMF"
)

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# run NAME CMD...: wall seconds (date around /usr/bin/time) and peak KiB appended to NAME.times
# (bash's clock, not date: a fork on each side would weigh on a 5 ms run)
run() {
	local name=$1 t0 t1
	shift
	t0=$EPOCHREALTIME
	/usr/bin/time -f '%M' -o "$name.rss" "$@" >"$name.out"
	t1=$EPOCHREALTIME
	echo "$(echo "$t1 - $t0" | bc) $(cat "$name.rss")" >>"$name.times"
}

rows=""
for c in "${cases[@]}"; do
	title=${c%%|*}
	read -r -a args <<<"${c#*|}"
	: >ccgov.times; : >peer.times; : >limit.times
	wait_quiet
	for i in $(seq "$RUNS"); do
		run ccgov "$CCGOV" measure sev-snp "${args[@]}"
		run peer "$PYTHON" "$PEER" "${args[@]}"
		case $title in *initrd*) run limit openssl dgst -sha256 initrd64m.bin ;; esac
	done
	cmp -s ccgov.out peer.out || die "$title: ccgov printed $(cat ccgov.out), sev-snp-measure $(cat peer.out)"
	cs=$(cut -d' ' -f1 ccgov.times | median); ps=$(cut -d' ' -f1 peer.times | median)
	cm=$(cut -d' ' -f2 ccgov.times | median); pm=$(cut -d' ' -f2 peer.times | median)
	limit="–"
	[ -s limit.times ] && limit=$(cut -d' ' -f1 limit.times | median | xargs printf '%.3f')
	rows+="| $title | $(printf '%.3f' "$cs") | $(printf '%.3f' "$ps") | $(echo "scale=4; $ps / $cs" | bc | xargs printf '%.1f')x | $limit | $((cm / 1024)) | $((pm / 1024)) |"$'\n'
	log "$title: ccgov $cs s, sev-snp-measure $ps s"
done

# The floors: starting each process and doing nothing.
: >ccgov.times; : >peer.times
for i in $(seq "$RUNS"); do
	run ccgov "$CCGOV" --version
	run peer "$PYTHON" "$PEER" --version
done
start_c=$(cut -d' ' -f1 ccgov.times | median | xargs printf '%.3f')
start_p=$(cut -d' ' -f1 peer.times | median | xargs printf '%.3f')
rows+="| start-up only (--version of each) | $start_c | $start_p | $(echo "scale=4; $start_p / $start_c" | bc | xargs printf '%.1f')x | – | – | – |"$'\n'

peer_version=$("$PYTHON" "$PEER" --version 2>&1)
section=$(cat <<MD

## ccgov measure sev-snp vs sev-snp-measure

$(date -u +%Y-%m-%d), $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores.
$RUNS runs each, interleaved, medians; page cache warm. Peer: $peer_version (Python $("$PYTHON" -c 'import platform; print(platform.python_version())'), $PYTHON).
Command: \`SEV_SNP_MEASURE=... CCGOV=build/ccgov RUNS=$RUNS bench/measure-sev.sh\`. Both print the same
digest in every case (checked). "Hashing limit": \`openssl dgst -sha256\` of the 64 MiB initrd alone, which one core must do
whatever the tool.

| case | ccgov s | sev-snp-measure s | speed-up | hashing limit s | ccgov MiB | sev-snp-measure MiB |
|---|---|---|---|---|---|---|
$rows
MD
)
echo "$section"
[ "$APPEND" = 0 ] || echo "$section" >>"$ROOT/bench/RESULTS.md"
