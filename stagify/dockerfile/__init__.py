"""The Dockerfile: the typed model, the parser, and what can be read from its lines.

Owns the model of a Dockerfile read (``model``) and of one to be written (``stageplan``), parsing
(``parse``, the one user of dockerfile-parse), pragmas, the shell reader, the replay of a stage
(``walk``), what a RUN line writes (``effects``), which distribution packages it installs
(``packages``), secret-looking values (``secrets``), safe rewrites of lines (``lintfix``) and the
check of a written Dockerfile (``selfcheck``). Nothing here knows a language or a build context.
"""
