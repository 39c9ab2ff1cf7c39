"""``python -m ovhub_jupyter.cli``, the same as the ``ovhub`` command."""

import sys

from . import main

sys.exit(main())
