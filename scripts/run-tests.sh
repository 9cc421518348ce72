#!/usr/bin/env bash
# Run the whole test suite; on a fresh Debian machine this first sets everything up (see
# setup-env.sh). Extra arguments go to pytest: ./scripts/run-tests.sh tests/core -k gradient
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup-env.sh"
# dataset-fashion-mnist: so the full-size (60,000 / 10,000) dataset path is tested too.
mlpviz_setup "${QT_HEADLESS_PACKAGES[@]}" dataset-fashion-mnist
QT_QPA_PLATFORM=offscreen exec .venv/bin/python -m pytest -q "$@"
