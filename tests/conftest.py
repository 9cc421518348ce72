"""Test set-up shared by every test: Qt runs offscreen, numbers are reproducible."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Keep test runs away from the user's settings and data cache.
os.environ.setdefault("MLPVIZ_SETTINGS_ORG", "mlpviz-tests")
