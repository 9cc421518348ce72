#!/usr/bin/env bash
# Start mlpviz; on a fresh Debian machine this first sets everything up (see setup-env.sh).
# Arguments go to mlpviz: ./scripts/run-app.sh train --epochs 10 --save model.npz
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup-env.sh"
mlpviz_setup "${QT_HEADLESS_PACKAGES[@]}" "${QT_DISPLAY_PACKAGES[@]}"
exec .venv/bin/python -m mlpviz "$@"
