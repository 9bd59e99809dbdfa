"""``python -m benchmarks run|report ...``: the benchmark command line without ``automl``."""

import sys

from benchmarks.cli import main

sys.exit(main())
