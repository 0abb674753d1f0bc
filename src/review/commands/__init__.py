"""Sub-commands of ``review``: one module each, discovered by :mod:`review.cli`.

A module here defines ``register(subparsers)``, which adds its parser and sets ``func`` to a
function taking the parsed arguments and returning an exit code. Keep them thin: parse, call
the package, print. The CLI builds every command's parser on each call, and each rule of the
workflow is one call, so a command imports the heavy parts of the package (pandas, openpyxl,
jinja2) only when it runs.
"""
