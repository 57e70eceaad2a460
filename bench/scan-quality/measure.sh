#!/bin/sh
# Measure per-category precision and recall of `ccgov scan` on a labelled
# corpus of real repositories (see README.md). Fetches nothing.
#
#   CORPUS_DIR=/var/tmp/scan-quality CCGOV=build/ccgov bench/scan-quality/measure.sh
#
# Environment:
#   CORPUS_DIR  folder holding one work tree per corpus.tsv name (default /var/tmp/scan-quality)
#   CCGOV       the ccgov binary (default build/ccgov, relative to the current folder)
#   RULES       rule folder (default: rules/ of this checkout)
#   KEEP        if set, a folder where the raw JSON reports are kept
#
# Output: UNLABELED lines (findings not in labels.tsv), MISSING-TREE lines,
# then a markdown table. Labels are ground truth: TP and FN both mean "a real
# positive" (FN = one the rules missed when it was labelled), FP means "not a
# real positive". So a finding with an FN label counts as TP, and a TP label
# with no finding counts as FN. Findings are de-duplicated on
# (corpus, path, line, rule).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
CORPUS_DIR=${CORPUS_DIR:-/var/tmp/scan-quality}
CCGOV=${CCGOV:-build/ccgov}
RULES=${RULES:-$here/../../rules}

abs() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s/%s\n' "$(pwd)" "$1" ;; esac; }
CCGOV=$(abs "$CCGOV")
RULES=$(abs "$RULES")
[ -x "$CCGOV" ] || { echo "measure.sh: no ccgov binary at $CCGOV" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
: > "$tmp/found.tsv"

# corpus.tsv: name repo commit subfolder (header line first)
tail -n +2 "$here/corpus.tsv" | while IFS='	' read -r name repo commit sub; do
    if [ ! -d "$CORPUS_DIR/$name" ]; then
        echo "MISSING-TREE	$name	$repo@$commit" >&2
        continue
    fi
    target=$name
    [ "$sub" = "." ] || target=$name/$sub
    rc=0
    (cd "$CORPUS_DIR" && "$CCGOV" scan --format json --no-default-rules \
        --rules "$RULES" --fail-on never "$target") > "$tmp/$name.json" \
        2> "$tmp/$name.err" || rc=$?
    if [ "$rc" -gt 1 ]; then
        echo "measure.sh: ccgov failed on $name (exit $rc):" >&2
        cat "$tmp/$name.err" >&2
        exit 2
    fi
    [ -z "${KEEP:-}" ] || { mkdir -p "$KEEP"; cp "$tmp/$name.json" "$KEEP/"; }
    # ccgov reports paths from the folder it scanned; labels are from the tree's top.
    prefix=; [ "$sub" = "." ] || prefix=$sub/
    jq -r --arg n "$name" --arg p "$prefix" '.findings[]
        | [$n, ($p + .path), (.line | tostring), .rule, .category]
        | @tsv' "$tmp/$name.json" >> "$tmp/found.tsv"
done

sort -u "$tmp/found.tsv" > "$tmp/found.u.tsv"

awk -F'\t' '
    function cat_of(rule,   c) { c = rule; sub(/\..*/, "", c); return c }
    FNR == 1 && FILENAME == LABELS { next }          # header
    FILENAME == LABELS {
        k = $1 "\t" $2 "\t" $3 "\t" $4
        lab[k] = $5; lcat[k] = $6
        next
    }
    {   # a finding: corpus path line rule category
        k = $1 "\t" $2 "\t" $3 "\t" $4
        found[k] = 1
        c = $5; cats[c] = 1
        if (!(k in lab)) { unl[c]++; print "UNLABELED\t" $0; next }
        if (lab[k] == "FP") fp[c]++
        else                tp[c]++                   # TP, or an FN that is now found
    }
    END {
        for (k in lab) {
            if (lab[k] == "FP" || (k in found)) continue
            c = lcat[k]; cats[c] = 1; fn[c]++         # a real positive not found
        }
        n = 0
        for (c in cats) order[++n] = c
        for (i = 2; i <= n; i++) { x = order[i]; for (j = i - 1; j >= 1 && order[j] > x; j--) order[j + 1] = order[j]; order[j + 1] = x }
        print ""
        print "| category | TP | FP | FN | unlabeled | precision | recall |"
        print "|---|---:|---:|---:|---:|---:|---:|"
        for (i = 1; i <= n; i++) {
            c = order[i]
            t = tp[c] + 0; f = fp[c] + 0; m = fn[c] + 0; u = unl[c] + 0
            T += t; F += f; M += m; U += u
            p = (t + f) ? sprintf("%.2f", t / (t + f)) : "-"
            r = (t + m) ? sprintf("%.2f", t / (t + m)) : "-"
            printf "| %s | %d | %d | %d | %d | %s | %s |\n", c, t, f, m, u, p, r
        }
        p = (T + F) ? sprintf("%.2f", T / (T + F)) : "-"
        r = (T + M) ? sprintf("%.2f", T / (T + M)) : "-"
        printf "| **all** | %d | %d | %d | %d | %s | %s |\n", T, F, M, U, p, r
    }
' LABELS="$here/labels.tsv" "$here/labels.tsv" "$tmp/found.u.tsv"
