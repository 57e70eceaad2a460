#!/usr/bin/env bash
# Benchmark: packing a ~400 MB build output into an image layer.
#
# Same tree, same machine, same run, each command RUNS times (default 5),
# medians compared:
#   ccgov build --compression gzip|zstd|none  (the pack phase that ccgov
#       reports, and the whole command)
#   tar --sort=name --mtime=@EPOCH --owner=0 --group=0 --numeric-owner | gzip -n
#   openssl dgst -sha256 over the uncompressed layer (the hashing limit)
# Targets (issue 3): gzip pack <= 0.5x tar|gzip -n; zstd and none pack <=
# 1.5x openssl dgst -sha256. Appends a section to bench/RESULTS.md.
#
#   CCGOV=build/ccgov bench/build-pack.sh        (make bench sets CCGOV)
set -euo pipefail
cd "$(dirname "$0")/.."
CCGOV=${CCGOV:-build/ccgov}
RUNS=${RUNS:-5}
SIZE_MB=${SIZE_MB:-400}
SRC=${BENCH_SOURCE:-/usr/lib/x86_64-linux-gnu}
WORK=${BENCH_WORK:-/var/tmp/ccgov-bench}
EPOCH=1700000000
export SOURCE_DATE_EPOCH=$EPOCH

project="$WORK/project"
tree="$WORK/tree"
if [ ! -f "$WORK/.complete" ]; then
	echo "bench: copying about $SIZE_MB MB of $SRC" >&2
	rm -rf "$WORK" && mkdir -p "$tree" "$project"
	# Whole files in name order until the size is reached; links come along.
	(cd "$SRC" && find . \( -type f -o -type l \) -printf '%s %p\n' | sort -k2 |
		awk -v max=$((SIZE_MB * 1024 * 1024)) '{ total += $1; if (total <= max) print $2 }') \
		>"$WORK/files"
	# --hard-dereference: every file its own copy, so both packers see the same bytes.
	tar -C "$SRC" --hard-dereference -cf - -T "$WORK/files" | tar -C "$tree" -xf -
	# The "build" hard-links the tree into place: packing reads the same
	# cached files that tar reads, and no copy is timed as packing.
	cat >"$project/ccgov.json" <<-JSON
	{"name": "bench/usrlib", "build": "cp -al $tree tree",
	 "outputs": [{"path": "tree", "dest": "/usr/lib/x86_64-linux-gnu"}]}
	JSON
	touch "$WORK/.complete"
fi
bytes=$(du -sb "$tree" | cut -f1)
files=$(find "$tree" -type f | wc -l)

# The "build" hard-links from $WORK: in a private mount namespace the build
# folder is a mount of its own, and links across mounts fail (EXDEV), so
# the build runs at its real path here.
BUILD_FLAGS=(--no-namespace)

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
declare -A samples
record() { samples[$1]+="$2 "; }

for run in $(seq "$RUNS"); do
	# The same to tmpfs: what the pipeline costs without the disk's fsync.
	if [ -d /dev/shm ]; then
		for c in zstd none; do
			"$CCGOV" build -q "$project" "${BUILD_FLAGS[@]}" -o "/dev/shm/ccgov-bench-$c" --compression "$c" --format json >"$WORK/shm-$c.json"
			record "ccgov-$c-pack-tmpfs" "$(jq -r .seconds.pack "$WORK/shm-$c.json")"
			rm -rf "/dev/shm/ccgov-bench-$c"
		done
	fi
	for c in gzip zstd none; do
		t0=$(now)
		"$CCGOV" build -q "$project" "${BUILD_FLAGS[@]}" -o "$WORK/out-$c" --compression "$c" --format json >"$WORK/$c.json"
		t1=$(now)
		record "ccgov-$c-pack" "$(jq -r .seconds.pack "$WORK/$c.json")"
		record "ccgov-$c-total" "$(elapsed "$t0" "$t1")"
	done
	t0=$(now)
	tar --sort=name --mtime=@$EPOCH --owner=0 --group=0 --numeric-owner -C "$WORK" -cf - tree |
		gzip -n >"$WORK/tar.gz"
	t1=$(now)
	record tar-gzip "$(elapsed "$t0" "$t1")"
	layer="$WORK/out-none/image/blobs/sha256/$(jq -r .layer.digest "$WORK/none.json" | cut -d: -f2)"
	t0=$(now)
	openssl dgst -sha256 "$layer" >/dev/null
	t1=$(now)
	record openssl-sha256 "$(elapsed "$t0" "$t1")"
	echo "bench: run $run of $RUNS done" >&2
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
m() { echo "${samples[$1]}" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

gz=$(m ccgov-gzip-pack); zs=$(m ccgov-zstd-pack); no=$(m ccgov-none-pack)
tg=$(m tar-gzip); os=$(m openssl-sha256)
gz_size=$(jq -r .layer.size "$WORK/gzip.json"); tg_size=$(stat -c %s "$WORK/tar.gz")
zs_size=$(jq -r .layer.size "$WORK/zstd.json"); tar_size=$(jq -r .layer.uncompressed_size "$WORK/none.json")

report=$(cat <<-MD

## ccgov build: packing $((bytes / 1048576)) MiB ($files files of $SRC)

$(date -u +%Y-%m-%d), $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores,
$(free -g | awk '/^Mem:/ {print $2}') GiB; $RUNS runs each, medians, wall seconds.
Command: \`CCGOV=$CCGOV RUNS=$RUNS bench/build-pack.sh\`.

| what | median s | ratio | target |
|---|---|---|---|
| tar --sort=name ... \\| gzip -n | $tg | 1 | |
| ccgov pack, gzip (libdeflate 6, 1 MiB members, 2 threads) | $gz | $(ratio "$gz" "$tg") of tar\\|gzip | <= 0.5 |
| openssl dgst -sha256 over the $((tar_size / 1048576)) MiB tar | $os | 1 | |
| ccgov pack, zstd (level 3, 4 MiB frames) | $zs | $(ratio "$zs" "$os") of openssl | <= 1.5 |
| ccgov pack, none | $no | $(ratio "$no" "$os") of openssl | <= 1.5 |
| ccgov pack, zstd, bundle on tmpfs (no disk flush) | $(m ccgov-zstd-pack-tmpfs) | $(ratio "$(m ccgov-zstd-pack-tmpfs)" "$os") of openssl | |
| ccgov pack, none, bundle on tmpfs (no disk flush) | $(m ccgov-none-pack-tmpfs) | $(ratio "$(m ccgov-none-pack-tmpfs)" "$os") of openssl | |
| ccgov build total, gzip (the whole command: build folder, hard-linking "build", pack, provenance) | $(m ccgov-gzip-total) | | |
| ccgov build total, zstd | $(m ccgov-zstd-total) | | |
| ccgov build total, none | $(m ccgov-none-total) | | |

Sizes: tar $tar_size bytes; gzip -n $tg_size; ccgov gzip $gz_size; ccgov zstd $zs_size.
MD
)
echo "$report"
echo "$report" >>bench/RESULTS.md
