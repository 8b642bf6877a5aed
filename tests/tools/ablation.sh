#!/usr/bin/env bash
# The paper's question on what we have: fuse none, one, two or three pretrained classifiers,
# with the same data, budget and seed, then score each on held-out LFW (split by identity) and
# held-out ImageNet. Writes out/ablation/{*.pt,*.log,eval-*.md}. About 30 min on 2 CPU cores.
#   bash tests/tools/ablation.sh [STEPS] [SIZE] [LIMIT]
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA="${COLORIZER_DATA:-../shared/data}"
STEPS="${1:-600}"
SIZE="${2:-96}"
LIMIT="${3:-3000}"
OUT=out/ablation
mkdir -p "$OUT"
for preset in offline0 offline1 offline offline3; do
  .venv/bin/colorizer train "$DATA/lfw" "$DATA/imagenet" --split-by folder --limit "$LIMIT" --balance \
    --preset "$preset" --loss mse --size "$SIZE" --batch 20 --epochs 1000 --steps "$STEPS" \
    --seed 0 --cache "$OUT/cache" --device cpu -o "$OUT/$preset.pt" > "$OUT/$preset.log" 2>&1
  tail -n 1 "$OUT/$preset.log"
done
# The same budget with the objective that keeps colour alive, for the mse-vs-vivid comparison.
.venv/bin/colorizer train "$DATA/lfw" "$DATA/imagenet" --split-by folder --limit "$LIMIT" --balance \
  --preset offline --loss vivid --size "$SIZE" --batch 20 --epochs 1000 --steps "$STEPS" \
  --seed 0 --cache "$OUT/cache" --device cpu -o "$OUT/offline-vivid.pt" > "$OUT/offline-vivid.log" 2>&1
tail -n 1 "$OUT/offline-vivid.log"
models=()
for m in offline0 offline1 offline offline3 offline-vivid; do models+=(--model "$OUT/$m.pt"); done
.venv/bin/colorizer evaluate "$DATA/lfw" --split test --split-by folder --limit 400 "${models[@]}" \
  --device cpu --csv "$OUT/eval-lfw.csv" 2>/dev/null | tee "$OUT/eval-lfw.md"
.venv/bin/colorizer evaluate "$DATA/imagenet" --split test "${models[@]}" \
  --device cpu --csv "$OUT/eval-imagenet.csv" 2>/dev/null | tee "$OUT/eval-imagenet.md"
