#!/usr/bin/env bash
# Run the whole test suite; on a fresh Debian machine this first sets everything up (see
# setup-env.sh). Extra arguments go to pytest: ./scripts/run-tests.sh tests/core -k gradient
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup-env.sh"
# dataset-fashion-mnist: so the full-size (60,000 / 10,000) dataset path is tested too.
mlpviz_setup "${QT_HEADLESS_PACKAGES[@]}" dataset-fashion-mnist
# The importers' tests skip where safetensors, onnx or h5py is missing, the catalog's where Babel
# is; here (and in CI) they run.
.venv/bin/python -c 'import safetensors, onnx, h5py, babel' || {
    echo "mlpviz setup: the test or import extras are missing: .venv/bin/python -m pip install -e '.[test,import]'" >&2
    exit 1
}
# -n auto: one pytest-xdist worker per core (the suite is ~480 s of CPU: 1,949 tests at 1bb84e8,
# measured under load ≈ 6; each worker has its own offscreen QApplication and, by
# tests/conftest.py, its own settings folder). `-n 0` after it runs in this one process (for
# --pdb, or to read a test's output in order).
QT_QPA_PLATFORM=offscreen exec .venv/bin/python -m pytest -q -n auto "$@"
