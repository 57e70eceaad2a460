#!/usr/bin/env bash
# Benchmark: ccgov scan against ast-grep on real corpora.
#
# Corpora (Debian packages, installed and extracted only if missing):
#   the Linux kernel (linux-source-6.1, extracted under $WORK),
#   the Go standard library (golang-1.19-src, read in place),
#   a ~100k-line kernel subtree (net/ipv4) for start-up-inclusive wall time.
# Cases per corpus, each RUNS times (default 3), interleaved, medians of
# wall seconds, CPU seconds (user+sys) and peak RSS (/usr/bin/time):
#   ccgov scan (literal pre-filter on, the default)
#   ccgov scan --no-prefilter
#   ast-grep scan with bench/astgrep-rules (the same 18 rules), on the same
#     files ccgov scans (ccgov's skipped files -- over 4 MiB, binary,
#     generated -- are excluded with --globs)
#   ast-grep scan on every file (its default walk), for reference
# A case whose first run takes longer than SLOW seconds (default 300) is
# run once. Both tools get THREADS threads (default: nproc).
# Targets (the issue): --no-prefilter at least ast-grep's lines per
# CPU-second; with the pre-filter the whole kernel in <= 0.2x ast-grep's CPU
# and wall time and <= 150 MiB peak RSS; a 100k-line tree in < 0.5 s wall.
# Writes scratch data under $WORK and appends a section to bench/RESULTS.md
# (APPEND=0: only write it to $WORK/section.md and print it).
#
#   CCGOV=build/ccgov bench/scan.sh            (make bench sets CCGOV)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
CCGOV=${CCGOV:-build/ccgov}
RUNS=${RUNS:-3}
SLOW=${SLOW:-300}
THREADS=${THREADS:-$(nproc)}
APPEND=${APPEND:-1}
WORK=${BENCH_WORK:-/var/tmp/ccgov-scan-bench}
AG_PREFIX=${AG_PREFIX:-/var/tmp/astgrep}
AG_RULES=$REPO/bench/astgrep-rules/sgconfig.yml
KPKG=linux-source-6.1
GPKG=golang-1.19-src
SUBTREE=${SUBTREE:-net/ipv4}
mkdir -p "$WORK/out"
log() { echo "bench: $*" >&2; }

# ---- tools and corpora (install only what is missing) ---------------------
AG=$AG_PREFIX/node_modules/.bin/ast-grep
if [ ! -x "$AG" ]; then
	log "installing ast-grep into $AG_PREFIX"
	npm install --silent --prefix "$AG_PREFIX" @ast-grep/cli >&2
fi
need=()
[ -f /usr/src/$KPKG.tar.xz ] || need+=("$KPKG")
[ -d /usr/share/go-1.19/src ] || [ -d /usr/lib/go-1.19/src ] || need+=("$GPKG")
if [ ${#need[@]} -gt 0 ]; then
	log "installing ${need[*]}"
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
fi
KERNEL=$WORK/$KPKG
if [ ! -f "$WORK/.kernel-extracted" ]; then
	log "extracting /usr/src/$KPKG.tar.xz"
	rm -rf "$KERNEL"
	tar -C "$WORK" -xJf /usr/src/$KPKG.tar.xz
	touch "$WORK/.kernel-extracted"
fi
GOSRC=/usr/share/go-1.19/src
[ -d "$GOSRC" ] || GOSRC=/usr/lib/go-1.19/src
GOSRC=$(realpath "$GOSRC")

# ccgov and its rules are copied first, so a rebuild during the run does not
# change what is measured. inventory/ rules only feed `scan --inventory`
# (plain scans skip them, and binaries from before that feature cannot load
# them), so the snapshot leaves them out.
if [ "$(realpath "$CCGOV")" != "$(realpath -m "$WORK/ccgov")" ]; then
	cp -p "$CCGOV" "$WORK/ccgov.tmp" && mv "$WORK/ccgov.tmp" "$WORK/ccgov"
fi
rm -rf "$WORK/rules" && cp -r "${CCGOV_RULES:-$REPO/rules}" "$WORK/rules" && rm -rf "$WORK/rules/inventory"
export CCGOV_RULES_DIR=$WORK/rules
CC=$WORK/ccgov
if ! "$CC" scan "$REPO/testdata/scan/negative" --fail-on never >/dev/null 2>"$WORK/out/load.err"; then
	log "$CC cannot scan with the rules in $WORK/rules (set CCGOV_RULES=DIR to a rule folder it can load):"
	cat "$WORK/out/load.err" >&2
	exit 1
fi

# ---- the two rule sets agree on the rule tests ----------------------------
# Same findings (path, line, rule) on testdata/scan/positive, none on negative.
agree=yes
(cd "$REPO/testdata/scan/positive" && "$CC" scan . --format json --fail-on never 2>/dev/null |
	jq -r '.findings[] | "\(.path):\(.line):\(.rule)"' | sort) >"$WORK/out/testdata-ccgov.txt"
(cd "$REPO/testdata/scan/positive" && { "$AG" scan -c "$AG_RULES" . --json=stream 2>/dev/null || true; } |
	jq -r '"\(.file):\(.range.start.line + 1):\(.ruleId | sub("@.*"; ""))"' | sort) >"$WORK/out/testdata-astgrep.txt"
cmp -s "$WORK/out/testdata-ccgov.txt" "$WORK/out/testdata-astgrep.txt" ||
	agree="no (diff $WORK/out/testdata-ccgov.txt $WORK/out/testdata-astgrep.txt)"
[ -s "$WORK/out/testdata-ccgov.txt" ] || agree="no (ccgov found nothing in testdata/scan/positive)"
for neg in ccgov astgrep; do
	if [ $neg = ccgov ]; then
		n=$(cd "$REPO/testdata/scan/negative" && "$CC" scan . --format json --fail-on never 2>/dev/null | jq '.findings | length')
	else
		n=$(cd "$REPO/testdata/scan/negative" && { "$AG" scan -c "$AG_RULES" . --json=stream 2>/dev/null || true; } | wc -l)
	fi
	[ "$n" = 0 ] || agree="no ($neg has $n findings on testdata/scan/negative)"
done
log "rule sets agree on testdata/scan: $agree"

# ---- file sets, skip lists, line counts -----------------------------------
# Emulates ccgov's walk (analyzers/languages.c, analyzers/scan.c): regular
# files with its extensions, .git skipped; files over 4 MiB, with a NUL in
# the first 8 KiB, or with "Code generated"+"DO NOT EDIT" or "@generated" in
# the first 4 KiB are skipped. Writes ast-grep exclusion globs for those.
census() { # ROOT NAME
	python3 - "$1" "$WORK/out/$2" <<-'PY'
	import json, os, sys
	root, out = sys.argv[1], sys.argv[2]
	exts = {"c": ".c .h", "cpp": ".cc .cpp .cxx .c++ .hh .hpp .hxx .h++",
	        "go": ".go", "rust": ".rs", "python": ".py .pyi"}
	lang_of = {e: l for l, es in exts.items() for e in es.split()}
	MAX = 4194304
	st = {"files": {}, "lines": {}, "skipped": {"too_large": 0, "binary": 0, "generated": 0},
	      "skipped_lines": 0}
	skip = []
	for d, dirs, files in os.walk(root):
	    dirs[:] = sorted(x for x in dirs if x != ".git")
	    for f in sorted(files):
	        p = os.path.join(d, f)
	        lang = lang_of.get(os.path.splitext(f)[1])
	        if not lang or os.path.islink(p) or not os.path.isfile(p):
	            continue
	        rel = os.path.relpath(p, root)
	        with open(p, "rb") as fh:
	            data = fh.read()
	        why = None
	        if len(data) > MAX:
	            why = "too_large"
	        elif b"\0" in data[:8192]:
	            why = "binary"
	        else:
	            h = data[:4096]
	            if (b"Code generated" in h and b"DO NOT EDIT" in h) or b"@generated" in h:
	                why = "generated"
	        if why:
	            st["skipped"][why] += 1
	            st["skipped_lines"] += data.count(b"\n")
	            skip.append(rel)
	            continue
	        st["files"][lang] = st["files"].get(lang, 0) + 1
	        st["lines"][lang] = st["lines"].get(lang, 0) + data.count(b"\n")
	st["total_files"] = sum(st["files"].values())
	st["total_lines"] = sum(st["lines"].values())
	json.dump(st, open(out + ".census.json", "w"), indent=1)
	esc = lambda s: "".join("\\" + c if c in "*?[]{}\\!" else c for c in s)
	with open(out + ".globs", "w") as g:
	    for e in ("cu", "ino", "py3", "bzl"):  # ast-grep's extensions that ccgov does not read
	        g.write("--globs\n!*.%s\n" % e)
	    for rel in skip:
	        g.write("--globs\n!%s\n" % esc(rel))
	PY
}
declare -A ROOT
ROOT[kernel]=$KERNEL
ROOT[go]=$GOSRC
ROOT[subtree]=$KERNEL/$SUBTREE
CORPORA=(kernel go subtree)
for c in "${CORPORA[@]}"; do
	log "census of ${ROOT[$c]}"
	census "${ROOT[$c]}" "$c"
done
lines() { jq -r .total_lines "$WORK/out/$1.census.json"; }

# Warm the page cache: every file once.
log "warming the page cache"
for c in kernel go; do find "${ROOT[$c]}" -type f -print0 | xargs -0 cat >/dev/null; done

# ---- the runs --------------------------------------------------------------
CASES=(ccgov ccgov-noprefilter astgrep astgrep-all)
cmdline() { # CASE CORPUS -> the command, run from the corpus root
	case $1 in
	ccgov) echo "$CC scan . --format json --fail-on never --threads $THREADS" ;;
	ccgov-noprefilter) echo "$CC scan . --format json --fail-on never --threads $THREADS --no-prefilter" ;;
	astgrep) echo "$AG scan -c $AG_RULES --json=stream --threads $THREADS --globs@$WORK/out/$2.globs ." ;;
	astgrep-all) echo "$AG scan -c $AG_RULES --json=stream --threads $THREADS --inspect summary ." ;;
	esac
}
# The machine may be shared: wait for it to be quiet before each run, and
# redo a run during which others used more than 10 % of its CPU time, at
# most RETRIES times (bench/quiet.sh).
QUIET_WAIT=${QUIET_WAIT:-600}
. bench/quiet.sh
declare -A WALL CPU RSS OTHER NRUNS LIMIT
run_case() { # CORPUS CASE RUN
	local corpus=$1 cs=$2 key=$1/$2 out=$WORK/out/$1-$2 rc b0 b1 e u s m other try
	local -a cmd
	read -r -a cmd <<<"$(cmdline "$cs" "$corpus")"
	if [[ $cs == astgrep ]]; then # expand --globs@FILE into the arguments
		cmd=("${cmd[@]:0:${#cmd[@]}-2}")
		mapfile -t globs <"$WORK/out/$corpus.globs"
		cmd+=("${globs[@]}" --inspect summary .)
	fi
	for try in $(seq 0 "$RETRIES"); do
		wait_quiet
		rc=0
		b0=$(busy)
		(cd "${ROOT[$corpus]}" && /usr/bin/time -f '%e %U %S %M' -o "$out.time" "${cmd[@]}" >"$out.json" 2>"$out.err") || rc=$?
		b1=$(busy)
		# ccgov exits 0 with --fail-on never; ast-grep exits 1 when a rule of
		# severity error matched.
		if [ $rc -ne 0 ] && ! { [[ $cs == astgrep* ]] && [ $rc -eq 1 ] && grep -q 'error(s) found in code' "$out.err"; }; then
			log "$key failed (exit $rc):"; cat "$out.err" >&2; exit 1
		fi
		read -r e u s m < <(grep -E '^[0-9.]+ [0-9.]+ [0-9.]+ [0-9]+$' "$out.time")
		# CPU time that other processes used meanwhile.
		other=$(awk -v a="$b0" -v b="$b1" -v u="$u" -v s="$s" 'BEGIN { o = (b - a) / 100 - u - s; printf "%.1f", o < 0 ? 0 : o }')
		log "$key run $3: wall $e s, cpu $u+$s s, rss $m KiB, others $other cpu s"
		awk -v o="$other" -v u="$u" -v s="$s" 'BEGIN { exit !(o > 1 && o > 0.1 * (u + s)) }' || break
		[ "$try" -lt "$RETRIES" ] && log "$key run $3: the machine was busy, again"
	done
	WALL[$key]+="$e "
	CPU[$key]+="$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }') "
	RSS[$key]+="$m "
	OTHER[$key]+="$other "
	NRUNS[$key]=$((${NRUNS[$key]:-0} + 1))
	if [ "$3" = 1 ] && awk -v e="$e" -v s="$SLOW" 'BEGIN { exit !(e > s) }'; then LIMIT[$key]=1; fi
}
for run in $(seq "$RUNS"); do
	for corpus in "${CORPORA[@]}"; do
		for cs in "${CASES[@]}"; do
			[ "$corpus" = subtree ] && [ "$cs" = astgrep-all ] && continue
			[ -n "${LIMIT[$corpus/$cs]:-}" ] && [ "$run" -gt 1 ] && continue
			run_case "$corpus" "$cs" "$run"
		done
	done
done

# ---- findings --------------------------------------------------------------
normalise() { # CORPUS CASE -> sorted "path:line:rule"
	local f=$WORK/out/$1-$2.json
	case $2 in
	ccgov*) jq -r '.findings[] | "\(.path):\(.line):\(.rule)"' "$f" ;;
	*) jq -r '"\(.file | sub("^\\./"; "")):\(.range.start.line + 1):\(.ruleId | sub("@.*"; ""))"' "$f" ;;
	esac | sort
}
for corpus in "${CORPORA[@]}"; do
	for cs in "${CASES[@]}"; do
		[ -f "$WORK/out/$corpus-$cs.json" ] && normalise "$corpus" "$cs" >"$WORK/out/$corpus-$cs.findings"
	done
	diff "$WORK/out/$corpus-ccgov.findings" "$WORK/out/$corpus-astgrep.findings" >"$WORK/out/$corpus-findings.diff" || true
	[ -f "$WORK/out/$corpus-astgrep-all.findings" ] &&
		{ diff "$WORK/out/$corpus-ccgov.findings" "$WORK/out/$corpus-astgrep-all.findings" >"$WORK/out/$corpus-findings-all.diff" || true; }
done
count() { wc -l <"$WORK/out/$1.findings" | tr -d ' '; }
agfiles() { sed -n 's/.*scannedFileCount=\([0-9]*\).*/\1/p' "$WORK/out/$1.err" | tail -1; }

# ---- the section -----------------------------------------------------------
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
maxof() { tr ' ' '\n' | grep . | sort -g | tail -1; }
mw() { echo "${WALL[$1]}" | median; }
mc() { echo "${CPU[$1]}" | median; }
mr() { awk -v k="$(echo "${RSS[$1]}" | median)" 'BEGIN { printf "%.0f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
lps() { awk -v l="$1" -v c="$2" 'BEGIN { printf "%.0f", l / c }'; }
verdict() { awk -v v="$1" -v lim="$2" -v op="$3" 'BEGIN { ok = op == "<=" ? v <= lim : op == "<" ? v < lim : v >= lim; print ok ? "met" : "not met" }'; }
label() {
	case $1 in
	ccgov) echo "ccgov scan (pre-filter on)" ;;
	ccgov-noprefilter) echo "ccgov scan --no-prefilter" ;;
	astgrep) echo "ast-grep scan, same files as ccgov" ;;
	astgrep-all) echo "ast-grep scan, every file (its default walk)" ;;
	esac
}
rows() { # CORPUS
	local corpus=$1 L base cs k
	L=$(lines "$corpus")
	base=$corpus/astgrep
	for cs in "${CASES[@]}"; do
		k=$corpus/$cs
		[ -n "${NRUNS[$k]:-}" ] || continue
		echo "| $corpus | $(label "$cs") | ${NRUNS[$k]} | $(mw "$k") | $(mc "$k") | $(mr "$k") | $(lps "$L" "$(mc "$k")") | $(ratio "$(mw "$k")" "$(mw "$base")") | $(ratio "$(mc "$k")" "$(mc "$base")") | $(echo "${OTHER[$k]}" | maxof) |"
	done
}
rule_counts() { # CORPUS
	local corpus=$1
	echo "| rule | ccgov | ast-grep (same files) | ast-grep (every file) |"
	echo "|---|---|---|---|"
	cat "$WORK/out/$corpus-ccgov.findings" "$WORK/out/$corpus-astgrep.findings" "$WORK/out/$corpus-astgrep-all.findings" |
		cut -d: -f3 | sort -u | while read -r r; do
		echo "| $r | $(cut -d: -f3 "$WORK/out/$corpus-ccgov.findings" | grep -cx "$r" || true) | $(cut -d: -f3 "$WORK/out/$corpus-astgrep.findings" | grep -cx "$r" || true) | $(cut -d: -f3 "$WORK/out/$corpus-astgrep-all.findings" | grep -cx "$r" || true) |"
	done
	echo "| total | $(count "$corpus-ccgov") | $(count "$corpus-astgrep") | $(count "$corpus-astgrep-all") |"
}
census_line() { # CORPUS
	jq -r '"\(.total_lines) lines in \(.total_files) files (" + ([.lines | to_entries[] | "\(.key) \(.value)"] | join(", ")) + "); ccgov skips \(.skipped.too_large) over 4 MiB, \(.skipped.generated) generated, \(.skipped.binary) binary (\(.skipped_lines) lines more)"' "$WORK/out/$1.census.json"
}

kc=kernel/ccgov; ka=kernel/astgrep
t1k=$(ratio "$(lps "$(lines kernel)" "$(mc kernel/ccgov-noprefilter)")" "$(lps "$(lines kernel)" "$(mc $ka)")")
t1g=$(ratio "$(lps "$(lines go)" "$(mc go/ccgov-noprefilter)")" "$(lps "$(lines go)" "$(mc go/astgrep)")")
cpu_r=$(ratio "$(mc $kc)" "$(mc $ka)"); wall_r=$(ratio "$(mw $kc)" "$(mw $ka)")
sub_w=$(mw subtree/ccgov)

section=$(cat <<-MD

## ccgov scan vs ast-grep

$(date -u +%F), $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores,
$(free -g | awk '/^Mem:/ {print $2}') GiB. Medians of the runs shown (at most $RUNS, interleaved;
a case whose first run took over $SLOW s was run once), page cache warmed first.
Command: \`CCGOV=$CCGOV ${CCGOV_RULES:+CCGOV_RULES=$CCGOV_RULES }RUNS=$RUNS bench/scan.sh\` (ccgov and its rules are
copied to $WORK first; scratch data and outputs are in $WORK/out).

Versions: $("$CC" --version | head -1) (binary sha256 $(sha256sum "$CC" | cut -c1-12) of $(date -u -r "$CC" '+%F %H:%M'); repository HEAD $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown),
$(jq .summary.rules "$WORK/out/kernel-ccgov.json") rules); $("$AG" --version); $KPKG $(dpkg-query -W -f '${Version}' $KPKG 2>/dev/null);
$GPKG $(dpkg-query -W -f '${Version}' $GPKG 2>/dev/null).

Corpora (lines counted with \`\\n\`, over the files both tools scan):

- kernel: $KERNEL, $(census_line kernel)
- go: $GOSRC, $(census_line go)
- subtree: $KERNEL/$SUBTREE, $(census_line subtree)

Commands, each run from the corpus root under \`/usr/bin/time -f '%e %U %S %M'\`
(ccgov with CCGOV_RULES_DIR=$WORK/rules):

- ccgov: \`$(cmdline ccgov x)\`
- ccgov --no-prefilter: \`$(cmdline ccgov-noprefilter x)\`
- ast-grep, same files: \`$AG scan -c bench/astgrep-rules/sgconfig.yml --json=stream --threads $THREADS --globs '!PATH' ... --inspect summary .\`
  (one \`--globs '!PATH'\` per file ccgov skips, and \`!*.cu !*.ino !*.py3 !*.bzl\`)
- ast-grep, every file: \`$(cmdline astgrep-all x | sed "s|$AG_RULES|bench/astgrep-rules/sgconfig.yml|")\`

Files scanned: kernel ccgov $(jq .summary.files_scanned "$WORK/out/kernel-ccgov.json") (parsed with the pre-filter $(jq .summary.files_parsed "$WORK/out/kernel-ccgov.json")), ast-grep same files $(agfiles kernel-astgrep), every file $(agfiles kernel-astgrep-all);
go ccgov $(jq .summary.files_scanned "$WORK/out/go-ccgov.json") (parsed $(jq .summary.files_parsed "$WORK/out/go-ccgov.json")), ast-grep $(agfiles go-astgrep) / $(agfiles go-astgrep-all);
subtree ccgov $(jq .summary.files_scanned "$WORK/out/subtree-ccgov.json") (parsed $(jq .summary.files_parsed "$WORK/out/subtree-ccgov.json")), ast-grep $(agfiles subtree-astgrep).
The two rule sets give the same findings on testdata/scan (positive: $(wc -l <"$WORK/out/testdata-ccgov.txt" | tr -d ' ') by ccgov; negative: none): $agree.

Ratios are against "ast-grep, same files" of the same corpus. The machine may
be shared: each run waited for it to be quiet, a run during which other
processes used over 10 % of its CPU time was redone (at most $RETRIES times),
and "other CPU s" is the most CPU time others used during a kept run of the
case (from /proc/stat; near 0 means the runs were undisturbed).

| corpus | case | runs | wall s | CPU s (user+sys) | peak RSS MiB | lines / CPU-s | wall ratio | CPU ratio | other CPU s |
|---|---|---|---|---|---|---|---|---|---|
$(rows kernel)
$(rows go)
$(rows subtree)

Targets:

- --no-prefilter at least ast-grep's lines per CPU-second: kernel $t1k x ast-grep's, $(verdict "$t1k" 1 ">="); Go $t1g x, $(verdict "$t1g" 1 ">=").
- whole kernel with the pre-filter, CPU <= 0.2x ast-grep: $cpu_r x, $(verdict "$cpu_r" 0.2 "<=").
- whole kernel with the pre-filter, wall <= 0.2x ast-grep: $wall_r x, $(verdict "$wall_r" 0.2 "<=").
- whole kernel with the pre-filter, peak RSS <= 150 MiB: $(mr $kc) MiB, $(verdict "$(mr $kc)" 150 "<=").
- $(lines subtree)-line tree ($SUBTREE) under 0.5 s wall including start-up: $sub_w s, $(verdict "$sub_w" 0.5 "<").

Findings per rule (ccgov with the pre-filter; --no-prefilter gave kernel $(count kernel-ccgov-noprefilter), Go $(count go-ccgov-noprefilter), subtree $(count subtree-ccgov-noprefilter)):

Kernel:

$(rule_counts kernel)

Go standard library:

$(rule_counts go)

Differences (path:line:rule; < only ccgov, > only ast-grep): kernel, same files:
$(grep -c '^[<>]' "$WORK/out/kernel-findings.diff" || true), every file: $(grep -c '^[<>]' "$WORK/out/kernel-findings-all.diff" || true);
Go, same files: $(grep -c '^[<>]' "$WORK/out/go-findings.diff" || true), every file: $(grep -c '^[<>]' "$WORK/out/go-findings-all.diff" || true)
(lists in $WORK/out/*-findings*.diff).
MD
)
echo "$section" >"$WORK/section.md"
echo "$section"
if [ "$APPEND" = 1 ]; then echo "$section" >>bench/RESULTS.md; fi
