"""The build context: the files BuildKit sends (``buildcontext``, ``dockerignore``), compose files
naming other contexts, and readers of project files (``tomlfile``, ``pyscan``)."""
