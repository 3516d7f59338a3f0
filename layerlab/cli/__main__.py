"""``python -m layerlab.cli ...`` = the ``layerlab`` command."""
import sys

from . import main

sys.exit(main())
