"""Sub-commands of ``review``: one module each, discovered by :mod:`review.cli`.

A module here defines ``register(subparsers)``, which adds its parser and sets ``func`` to a
function taking the parsed arguments and returning an exit code. Keep them thin: parse, call
the package, print.
"""
