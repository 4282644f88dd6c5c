#!/bin/sh
# The content detector's benchmark: the detector's CPU per channel, and —
# when the Debian packages tools/dev/foh-content-data reads are installed —
# class precision/recall, the confusion matrix, flicker and style accuracy
# on the HELD-OUT half of that material (never used to build the shipped
# model). The material is built once into $FOH_BUILDDIR/content-eval.
set -u
data=$FOH_BUILDDIR/content-eval
model=$FOH_SRCDIR/data/content/styles
if "$FOH_SRCDIR/tools/dev/foh-content-data" "$data" >"$data.log" 2>&1; then
	echo "held-out material: $data/heldout.tsv (sources in the third column)"
	exec "$BENCH_CONTENT" "$model" "$data/heldout.tsv"
fi
echo "SKIP: the evaluation material is not there ($(tail -1 "$data.log")); CPU only"
exec "$BENCH_CONTENT" "$model"
