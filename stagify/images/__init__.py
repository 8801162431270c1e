"""Base images: references (``reference``), the catalogue of pinned builder and runtime images
(``catalogue``), the registry client (``registry``) and digest pinning (``pin``)."""
