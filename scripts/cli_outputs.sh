#!/usr/bin/env bash
# Writes every indicator, trend and risk table the CLI produces on the demo database and on
# tests/data/anden_kommune into OUTDIR, to show that a restructuring changes no number:
#   git worktree add /tmp/before <commit>; scripts/cli_outputs.sh /tmp/before /tmp/out-before
#   scripts/cli_outputs.sh . /tmp/out-after; .venv/bin/python scripts/compare_cli_outputs.py /tmp/out-before /tmp/out-after
# usage: scripts/cli_outputs.sh REPO OUTDIR   (runs REPO's code with this checkout's .venv, or $PYTHON)
set -euo pipefail
REPO=$(cd "$1" && pwd); OUT=$2; mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd); W=$(mktemp -d)
PY=${PYTHON:-$(pwd)/.venv/bin/python}
export PYTHONPATH=$REPO
K="$PY -m kvalitet.cli"
cd "$REPO"
$K demo --db "$W/demo.duckdb" > /dev/null
ORG2=$REPO/tests/data/anden_kommune/organisation.yaml
$K ingest --db "$W/anden.duckdb" --organisation "$ORG2" --as-of 2024-12-31 "$REPO"/tests/data/anden_kommune/*.csv \
  > /dev/null || true
for db in demo anden; do
  if [ $db = demo ]; then ORG=$REPO/parameters/organisation.yaml; else ORG=$ORG2; fi
  for spec in "year:forvaltning" "quarter:forvaltning,area" "month:none" "half:forvaltning,unit" "biennium:forvaltning"; do
    p=${spec%%:*}; by=${spec#*:}
    $K indicators --db "$W/$db.duckdb" --organisation "$ORG" --period "$p" --by "$by" \
      --out "$OUT/$db-indicators-$p-${by//,/_}.csv" > /dev/null 2>&1
  done
  $K trends --db "$W/$db.duckdb" --organisation "$ORG" --out "$OUT/$db-trends-year.csv" > /dev/null 2>&1
  $K trends --db "$W/$db.duckdb" --organisation "$ORG" --period quarter --by forvaltning,area \
    --out "$OUT/$db-trends-quarter.csv" > /dev/null 2>&1
  $K risk --db "$W/$db.duckdb" --organisation "$ORG" --out "$OUT/$db-risk.csv" > /dev/null 2>&1
done
rm -rf "$W"
echo "$(ls "$OUT" | wc -l) tables in $OUT"
