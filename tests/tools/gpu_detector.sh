#!/bin/bash
# The damage detector trained on a GPU (models/README.md, damage_detector.pt): run by the device
# tool from the repository root of the lent machine, with the gray photos of
# tests/tools/detector_pack.py carried as .gpupack/det_*.tar.gz (two calls: 64 MiB a call).
#   tests/tools/gpu_detector.sh NAME SECONDS   unpack what this call carried (kept while the
#       machine stays warm), then NAME's run: several networks ($NETS) learn from one stream of
#       new damage, checkpoints every $EVERY steps; a short SECONDS is the smoke test
# Stopped with SIGINT at SECONDS (python alone, not its workers: --foreground); the trainer
# then writes what it has: everything, checkpoints too, comes back as $OUT/$1.tgz (the device
# tool hands back 8 files at most) with the log beside it.
set -uo pipefail
export PYTHONPATH=$PWD:$PWD/.gpupack/site PYTHONUNBUFFERED=1
# One thread per crop-making worker (see gpu_train.sh).
export OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 OMP_NUM_THREADS=1 OPENCV_FOR_THREADS_NUM=1
PACK=${PACK:-/root/dpack} WORKERS=${WORKERS:-15} RUN=${RUN:-/root/det}
mkdir -p "$PACK" "$RUN" "$OUT"
for t in .gpupack/det_*.tar.gz; do [ -f "$t" ] && tar -xzf "$t" -C "$PACK" && echo "unpacked $t"; done
find "$PACK" -type f | wc -l
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
SECS=$2
folders=$(find "$PACK/train" -mindepth 1 -maxdepth 1 -type d | sort)
minutes=$(python3 -c "print(round(($SECS - 25) / 60, 2))")  # room for the end's threshold choice
NETS=${NETS:-"init@5e-4 16x3 16x4 20x4"}
timeout --foreground -s INT "$SECS" python3 -m colorizer_app.restore.train_detector \
    "$RUN/$1.pt" $folders --val "${VAL:-$PACK/val/val}" --stream --workers "$WORKERS" --device cuda --photos 100000 \
    --nets $NETS --init models/damage_detector.pt --crop 128 --batch 32 --lr 2e-3 \
    --style crazed --soften 0.6 --clean-share 0.2 --seed 11 --minutes "$minutes" \
    --every "${EVERY:-400}" 2>&1 | tee "$OUT/$1.log" | grep -v "^step" ; grep "^step" "$OUT/$1.log" | awk 'NR % 10 == 0' | tail -n 20
tar -czf "$OUT/$1.tgz" -C "$RUN" . && ls -la "$OUT"  # 16 MiB a file comes back
