"""``python -m stagify``: the same as the ``stagify`` command."""

from .cli import main

main()
