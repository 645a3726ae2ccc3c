#!/usr/bin/env bash
# Cuts the hand-written social corpus (Models/corpus/social/, lines sentiment<TAB>intents<TAB>category<TAB>text)
# into the two layouts the train/eval commands read, in the git-ignored corpora/social/:
#   train.sentiment.tsv, dev.sentiment.tsv   label<TAB>text                (train/eval sentiment)
#   train.intent.tsv,    dev.intent.tsv      intents<TAB>category<TAB>text (train/eval intent)
# train = every train-*.tsv batch, dev = every dev-*.tsv batch (never used for training or tuning).
set -euo pipefail
cd "$(dirname "$0")/.."
src=Models/corpus/social
out=corpora/social
mkdir -p "$out"
for split in train dev; do
  files=("$src"/"$split"-*.tsv)
  grep -hv '^#' "${files[@]}" | awk -F'\t' -v f="$src/$split-*.tsv" \
    'NF != 4 { printf "%s: a line without 4 columns: %d\n", f, NR > "/dev/stderr"; bad = 1; next } { print $1 "\t" $4 }
     END { exit bad }' > "$out/$split.sentiment.tsv"
  grep -hv '^#' "${files[@]}" | awk -F'\t' 'NF == 4 { print $2 "\t" $3 "\t" $4 }' > "$out/$split.intent.tsv"
  echo "$out/$split.{sentiment,intent}.tsv: $(wc -l < "$out/$split.sentiment.tsv") posts from ${#files[@]} batches" >&2
done
