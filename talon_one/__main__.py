"""`python -m talon_one`: the `talon-one` command line (see talon_one.cli)."""

import sys

from talon_one.cli import main

if __name__ == "__main__":
    sys.exit(main())
