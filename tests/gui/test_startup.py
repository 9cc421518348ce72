"""The start-up hook benchmarks/bench_startup.py relies on: with MLPVIZ_STARTUP_TIME=1 the app
prints the seconds from its process's start to the main window's first paint and quits. Run in a
fresh process: pytest-qt owns this one's QApplication."""

import os
import re
import subprocess
import sys
import time

from mlpviz.gui import app


def test_startup_time_hook_prints_the_time_to_the_first_paint_and_quits(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", app.STARTUP_TIME_ENV: "1",
           "MLPVIZ_SETTINGS_ORG": "mlpviz-tests-startup", "XDG_CONFIG_HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "mlpviz"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    shown = re.fullmatch(r"startup: (\d+\.\d{3}) s\n", proc.stdout)
    assert shown and float(shown.group(1)) > 0, proc.stdout


def test_process_age_counts_from_the_process_start():
    # A child's age when it asks lies between the time since it imported mlpviz.gui.app (its
    # interpreter started before that) and the time since the parent began to spawn it.
    code = ("import time; from mlpviz.gui import app\n"
            "print(app.seconds_since_process_start(), time.monotonic() - app._IMPORTED_AT)")
    t0 = time.monotonic()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    spawned = time.monotonic() - t0
    age, since_import = map(float, out.split())
    assert since_import - 0.02 <= age <= spawned + 0.02  # the kernel counts in 10 ms ticks
