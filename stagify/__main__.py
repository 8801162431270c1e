"""``python -m stagify``: the same as the ``stagify`` command."""

from .entry import main

main()
