#!/usr/bin/env bash
# Cuts the hand-written social corpus (Models/corpus/social/, lines sentiment<TAB>intents<TAB>category<TAB>text)
# into the two layouts the train/eval commands read, in the git-ignored corpora/social/:
#   train.sentiment.tsv, dev.sentiment.tsv   label<TAB>text                (train/eval sentiment)
#   train.intent.tsv,    dev.intent.tsv      intents<TAB>category<TAB>text (train/eval intent)
#   tune.intent.tsv                                                    (every 8th training post)
# train = every train-*.tsv batch, dev = every dev-*.tsv batch (never used for training or tuning).
# train.intent.tsv holds the other 7 of every 8 training posts: train + tune is the whole training
# split (the side-by-side peers read both), and tune is there for a trainer run with --validation.
# The shipped intent model reads batches/ (below) instead.
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
  if [ "$split" = train ]; then
    grep -hv '^#' "${files[@]}" | awk -F'\t' -v tune="$out/tune.intent.tsv" \
      'NF == 4 { n++; line = $2 "\t" $3 "\t" $4; if (n % 8 == 0) print line > tune; else print line }' > "$out/train.intent.tsv"
  else
    grep -hv '^#' "${files[@]}" | awk -F'\t' 'NF == 4 { print $2 "\t" $3 "\t" $4 }' > "$out/$split.intent.tsv"
  fi
  echo "$out/$split.{sentiment,intent}.tsv: $(wc -l < "$out/$split.sentiment.tsv") posts from ${#files[@]} batches" >&2
done
# One intent file per training batch (every post of the batch), for `train intent --held-out-thresholds`,
# which scores each batch by a model trained without it.
mkdir -p "$out/batches"
for file in "$src"/train-*.tsv; do
  grep -v '^#' "$file" | awk -F'\t' 'NF == 4 { print $2 "\t" $3 "\t" $4 }' > "$out/batches/$(basename "$file" .tsv).intent.tsv"
done
echo "$out/batches/: $(ls "$out/batches" | wc -l) per-batch intent files" >&2
# One intent file per dev batch too, to see which voices a model misses (measured only, like dev).
mkdir -p "$out/dev-batches"
for file in "$src"/dev-*.tsv; do
  grep -v '^#' "$file" | awk -F'\t' 'NF == 4 { print $2 "\t" $3 "\t" $4 }' > "$out/dev-batches/$(basename "$file" .tsv).intent.tsv"
done

