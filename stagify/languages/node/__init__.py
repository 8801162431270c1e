"""Node.js: package.json, the package manager, what kind of app it is, and how its image splits.

A Node image splits three ways: a ``deps`` stage installs the production
dependencies only, the builder (the original stage) installs everything and runs
the build, and the runtime receives the production node_modules, the build output
and the files the app reads. Static front ends get an nginx runtime instead.

``facts`` holds what detection finds, ``commands`` what the original's install and
script commands do, ``start`` what the container starts, ``detector`` detects, ``language``
the planning hooks (loaded only when Node.js is the language a conversion plans for).
"""
