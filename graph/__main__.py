"""``python -m graph`` runs the ``dprk-kg`` command."""

import sys

from .cli import main

sys.exit(main())
