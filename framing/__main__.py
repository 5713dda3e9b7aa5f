"""`python -m framing ...` is the `framing` command."""

import sys

from framing.cli import main

sys.exit(main())
