"""`python -m mlpviz` runs the same entry point as the `mlpviz` command."""

import sys

from mlpviz.cli import main

if __name__ == "__main__":
    sys.exit(main())
