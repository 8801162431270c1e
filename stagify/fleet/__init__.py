"""Many repositories and a real engine: finding Dockerfiles (``discover``), converting them in bulk
(``migrate``, ``gitrepo``), and proving a conversion by building and running it (``verify``,
``docker``, ``filecheck``)."""
