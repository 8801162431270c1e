"""The command line: the typer application (``app``), its start (``entry``), the convert command,
and the outputs it prints (``report``, ``sarif``, ``diff``, ``terminal``)."""
