"""``python -m stagify``: the same as the ``stagify`` command."""

from .cli.entry import main

main()
