"""Python: requirements, Poetry, Pipenv, uv; a virtualenv builder; slim, Alpine or distroless runtimes.

``facts`` holds what detection finds, ``commands`` reads pip, Poetry, Pipenv and uv
command lines, ``detector`` detects, ``language`` the planning hooks (loaded only when
Python is the language a conversion plans for).
"""
