"""Sphinx configuration of the fiscalcliff docs site (MyST Markdown, pydata-sphinx-theme).

Build from the repository root, after generating the scenario pages::

    fiscalcliff report scenarios/ --out docs/forecasts --data-dir ../shared/data
    sphinx-build -W -b html docs docs/_build/html
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

from fiscalcliff import __version__  # noqa: E402

if not (DOCS / "forecasts" / "index.md").is_file():
    from sphinx.errors import ConfigError

    raise ConfigError(
        "docs/forecasts/ is generated and missing: run `fiscalcliff report scenarios/ --out "
        "docs/forecasts --data-dir ../shared/data` from the repository root first (README: Docs)"
    )

project = "fiscalcliff"
author = "fiscalcliff contributors"
copyright = "2026, fiscalcliff contributors"
version = release = __version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "fiscalcliff_cli",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = [
    "_build",
    "backtests",
    "concepts/default-candidates.md",  # included by concepts/why-default.md
    ".*",
    "**/.*",
    "Thumbs.db",
    ".DS_Store",
]
templates_path = ["_templates"]

# MyST: heading anchors for [text](page.md#anchor) links; no $-math (descriptions quote $bn)
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# API reference from the numpydoc docstrings
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": True}
autodoc_member_order = "bysource"
autodoc_typehints = "none"
autodoc_mock_imports = ["pymc", "pytensor"]
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set[str] = set()
numpydoc_xref_param_type = False

html_theme = "pydata_sphinx_theme"
html_title = f"fiscalcliff {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "navbar_align": "left",
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "secondary_sidebar_items": ["page-toc"],
}
html_sidebars = {"index": [], "getting-started": []}
html_show_sourcelink = False
html_copy_source = False


def _skip_type_aliases(app, what, name, obj, skip, options):
    """Type aliases such as ``LineMap = dict[Location, int]`` have no signature autodoc can read."""
    import types
    import typing

    if isinstance(obj, (types.GenericAlias, typing._GenericAlias)):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_type_aliases)
