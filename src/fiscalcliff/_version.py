"""Package version, kept in one place (``pyproject.toml`` reads it from here).

A literal rather than ``importlib.metadata.version``: the metadata lookup scans the installed
distributions and cost about 0.07-0.1 s of every CLI start. ``tests/test_provenance.py`` checks
that the installed metadata agrees.
"""

__version__ = "0.1.0"
