#!/bin/bash
# Carries an unfinished `leap reproduce` run over to another machine, or a later day, without its
# datasets and checkpoints:
#   bash bench/reproduce_carry.sh save OUT DEST      copies the run's record (stages.json, configs/,
#                                                    every stage's metrics, logs, figures and marks)
#                                                    from OUT to DEST, leaving out *.hdf5 (with their
#                                                    *.xdmf) and *.ckpt
#   bash bench/reproduce_carry.sh restore DEST OUT   copies them back into OUT
# Run `leap reproduce` again on OUT with the same command line (the same OUT path and leap binary
# path: they are part of each stage's fingerprint): the finished stages stay finished, a stage whose
# datasets or checkpoints are gone runs again only where a stage still to run reads them, and the
# report is written once every evaluation is there.
set -euo pipefail
[[ $# == 3 && ($1 == save || $1 == restore) ]] || { echo "usage: $0 save OUT DEST | restore DEST OUT" >&2; exit 2; }
from=$2 to=$3
[[ -f $from/stages.json ]] || { echo "$0: $from/stages.json: not a leap reproduce directory" >&2; exit 2; }
mkdir -p "$to"
(cd "$from" && find . -type f ! -name '*.hdf5' ! -name '*.xdmf' ! -name '*.ckpt' ! -name '*.partial' ! -name '*.tmp*' -print0) |
  while IFS= read -r -d '' f; do
    mkdir -p "$to/$(dirname "$f")"
    cp -p "$from/$f" "$to/$f"
  done
echo "$0 $1: $(find "$to" -type f | wc -l) files, $(du -sh "$to" | cut -f1) in $to"
