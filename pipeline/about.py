"""The package's version, in a module of its own so that no module imports the package ``__init__``
for it (the version is part of every result's content key)."""

__version__ = "0.1.0"
