"""review: a reproducible, auditable systematic-literature-review pipeline."""

# The one place the version is written: pyproject.toml reads it from here at build time
# (`[tool.setuptools.dynamic]`). Reading it back from the installed metadata instead cost
# every process ~35 ms (importlib.metadata scans sys.path), and every rule of a run is one.
__version__ = "0.1.0"

__all__ = ["__version__"]
