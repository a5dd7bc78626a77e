"""`python -m releasekit`."""

import sys

from releasekit.cli import main

sys.exit(main())
