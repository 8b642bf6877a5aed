#!/bin/bash
# The GPU run of models/README.md ("Trained whole on a GPU"): run by the device tool from the
# repository root of the lent machine, with the pool carried as .gpupack/*.tar.gz (made by
# tests/tools/training_copy.py, split so that each call stays under the tool's 64 MiB).
#   tests/tools/gpu_train.sh unpack             unpack the chunks this call carried
#   tests/tools/gpu_train.sh smoke              unpack, then 50 s of training on what is there
#   tests/tools/gpu_train.sh train SECONDS STEPS  unpack, then the run on every folder
# The run is stopped with SIGINT at SECONDS, sent to python alone, not its DataLoader workers
# (--foreground); the CLI then writes the best weights it has, so a slower machine still hands
# back a model. The model and the log are written under $OUT.
set -uo pipefail
# .gpupack/site: pure-Python packages the machine lacks (platformdirs)
export PYTHONPATH=$PWD:$PWD/.gpupack/site PYTHONUNBUFFERED=1
# One thread per DataLoader worker (else 15 workers x 16 threads on 16 cores; the main process
# needs none: the GPU does its work). NumPy's BLAS and OpenCV size their pools when they load;
# OpenCV's is not resized in a forked worker (cv2.setNumThreads there can deadlock on the pool
# the parent left: seen in the tests).
export OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 OMP_NUM_THREADS=1 OPENCV_FOR_THREADS_NUM=1
PACK=${PACK:-/root/pack} DEVICE=${DEVICE:-cuda} WORKERS=${WORKERS:-15} RUN=${RUN:-/root}
mkdir -p "$PACK" "$OUT"
for t in .gpupack/*.tar.gz; do tar -xzf "$t" -C "$PACK" && echo "unpacked $t"; done
find "$PACK" -type f | wc -l
[ "$1" = unpack ] && exit 0

COMMON=(--preset scenes --per-folder 2 --split-by folder --min-colorfulness 5 --balance 3
        --size 224 --batch 64 --stream --unfreeze-encoder --encoder-lr 3e-5 --lr 3e-4
        --schedule cosine --init models/default.pt --workers "$WORKERS" --device "$DEVICE" --half)
log() { tr '\r' '\n' | tee -a "$OUT/train.log" | grep --line-buffered -E "PSNR|Wrote|Split|Training|rror|img/s" | awk '/img\/s/ {n++; if (n % 25) next} {print}'; }

if [ "$1" = smoke ]; then
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
    python3 -c 'import torch, torchvision, cv2, skimage, numpy; print(torch.__version__, torchvision.__version__, cv2.__version__, skimage.__version__, numpy.__version__)'
    folders=$(find "$PACK" -mindepth 2 -maxdepth 2 -type d | sort)
    timeout --foreground -s INT 50 python3 -m colorizer_app train $folders "${COMMON[@]}" \
        --steps 4000 --eval-every 150 -o "$RUN/smoke.pt" 2>&1 | log
    ls -la "$RUN/smoke.pt"
    # make bench's 12 MP file to file on this GPU (the shipped model)
    timeout 60 python3 -m pytest -q -s tests/benchmarks/test_bench_colorize.py -k 12 \
        -p no:cacheprovider -o addopts="" 2>&1 | tail -n 15
    exit 0
fi

SECONDS_LEFT=$2 STEPS=$3
folders=$(find "$PACK" -mindepth 2 -maxdepth 2 -type d | sort)
echo "$folders"
timeout --foreground -s INT "$SECONDS_LEFT" python3 -m colorizer_app train $folders "${COMMON[@]}" \
    --steps "$STEPS" --eval-every 500 -o "$RUN/gpu.pt" 2>&1 | log
cp "$RUN/gpu.pt" "$OUT/gpu.pt" && ls -la "$OUT"
