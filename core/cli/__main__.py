"""``python -m core.cli``: the ``twintrack`` command."""

import sys

from core.cli import main

sys.exit(main())
