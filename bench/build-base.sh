#!/usr/bin/env bash
# Benchmark: what building on a ~500 MB base image adds to a build.
#
# The base is made here by ccgov build itself from SIZE_MB of real files
# (/usr/lib/x86_64-linux-gnu), gzip-compressed, so it holds what real
# bases hold (ELF libraries). The project is the sample, linked
# statically. Each command RUNS times (default 5), medians compared:
#   ccgov build                        (no base)
#   ccgov build --base oci:BASE@DIGEST (the same project on the base)
#   sha256sum over the base's blobs    (the hashing limit: verifying the base)
# Target (issue 22): with-base minus no-base <= 1.2x sha256sum of the base;
# peak memory (max RSS, GNU time) under 64 MiB. Appends to bench/RESULTS.md.
#
#   CCGOV=build/ccgov bench/build-base.sh        (make bench sets CCGOV)
set -euo pipefail
cd "$(dirname "$0")/.."
CCGOV=${CCGOV:-build/ccgov}
RUNS=${RUNS:-5}
SIZE_MB=${SIZE_MB:-500}
SRC=${BENCH_SOURCE:-/usr/lib/x86_64-linux-gnu}
WORK=${BENCH_WORK:-/var/tmp/ccgov-bench-base}
export SOURCE_DATE_EPOCH=1700000000

if [ ! -f "$WORK/.complete" ]; then
	echo "bench: making a base of about $SIZE_MB MB of $SRC" >&2
	rm -rf "$WORK" && mkdir -p "$WORK/tree" "$WORK/base-project" "$WORK/sample"
	(cd "$SRC" && find . \( -type f -o -type l \) -printf '%s %p\n' | sort -k2 |
		awk -v max=$((SIZE_MB * 1024 * 1024)) '{ total += $1; if (total <= max) print $2 }') >"$WORK/files"
	tar -C "$SRC" --hard-dereference -cf - -T "$WORK/files" | tar -C "$WORK/tree" -xf -
	cat >"$WORK/base-project/ccgov.json" <<-JSON
	{"name": "bench/base", "tag": "b", "build": "cp -al $WORK/tree tree",
	 "outputs": [{"path": "tree", "dest": "/usr/lib/x86_64-linux-gnu"}]}
	JSON
	"$CCGOV" build -q "$WORK/base-project" --no-namespace -o "$WORK/base" >/dev/null
	cp -R testdata/sample/. "$WORK/sample/"
	git -C "$WORK/sample" init -q -b main .
	git -C "$WORK/sample" add -A
	git -C "$WORK/sample" -c user.name=b -c user.email=b@b commit -q -m sample
	touch "$WORK/.complete"
fi
digest=$(cat "$WORK/base/image.digest")
blob_bytes=$(du -sb "$WORK/base/image/blobs" | cut -f1)
tar_bytes=$(du -sb "$WORK/tree" | cut -f1)
files=$(find "$WORK/tree" -type f | wc -l)

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
declare -A samples
record() { samples[$1]+="$2 "; }
median() { tr ' ' '\n' <<<"${samples[$1]}" | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
flags=(-q --command 'make LDFLAGS=-static' --strict)

for run in $(seq "$RUNS"); do
	rm -rf "$WORK/out-plain" "$WORK/out-base"
	t0=$(now)
	"$CCGOV" build "$WORK/sample" -o "$WORK/out-plain" "${flags[@]}" >/dev/null
	t1=$(now)
	record plain "$(elapsed "$t0" "$t1")"
	t0=$(now)
	/usr/bin/time -f %M -o "$WORK/rss" "$CCGOV" build "$WORK/sample" -o "$WORK/out-base" "${flags[@]}" \
		--base "oci:$WORK/base/image@$digest" >/dev/null
	t1=$(now)
	record base "$(elapsed "$t0" "$t1")"
	record rss "$(cat "$WORK/rss")"
	t0=$(now)
	find "$WORK/base/image/blobs" -type f -exec sha256sum {} + >/dev/null
	t1=$(now)
	record sha "$(elapsed "$t0" "$t1")"
done

plain=$(median plain) base=$(median base) sha=$(median sha) rss=$(median rss)
added=$(awk -v a="$base" -v b="$plain" 'BEGIN { printf "%.3f", a - b }')
ratio=$(awk -v a="$added" -v s="$sha" 'BEGIN { printf "%.2f", a / s }')
machine="$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB"
{
	echo
	echo "## ccgov build on a base image: $((blob_bytes / 1048576)) MiB of blobs ($((tar_bytes / 1048576)) MiB, $files files unpacked)"
	echo
	echo "$(date +%F), $machine; $RUNS runs each, medians, wall seconds."
	echo "Command: \`CCGOV=$CCGOV RUNS=$RUNS bench/build-base.sh\`. The project is the sample, static."
	echo
	echo "| what | median s | ratio | target |"
	echo "|---|---|---|---|"
	echo "| sha256sum over the base's blobs (verifying the base) | $sha | 1 | |"
	echo "| ccgov build, no base | $plain | | |"
	echo "| ccgov build --base (copy and check every blob, read every file, SBOM, library check) | $base | | |"
	echo "| what the base adds | $added | $ratio of sha256sum | <= 1.2 |"
	echo "| max RSS with the base | $((rss / 1024)) MiB | | < 64 MiB |"
} | tee -a bench/RESULTS.md
