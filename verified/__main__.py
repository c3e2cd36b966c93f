"""``python -m verified`` runs the command line (`verified.cli.main`)."""

import sys

from verified.cli import main

sys.exit(main())
