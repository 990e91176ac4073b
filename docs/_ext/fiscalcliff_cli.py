"""Sphinx extension: the CLI reference, generated from ``fiscalcliff.cli.main.build_parser()``.

The directive ``fiscalcliff-cli`` writes one section per command (and per ``data`` action) with
its ``--help`` text as printed by the CLI itself, so the reference cannot drift from the code::

    ```{fiscalcliff-cli}
    ```
"""

from __future__ import annotations

import argparse
import os
from contextlib import contextmanager

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

HELP_WIDTH = "78"


@contextmanager
def _columns(width: str):
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = width
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old


def _subcommands(parser: argparse.ArgumentParser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                yield name, helps.get(name, ""), sub


def walk(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """Every parser with a name path, depth first: ``()``, ``("data",)``, ``("data", "show")``."""
    yield path, "", parser
    for name, help_text, sub in _subcommands(parser):
        for p, h, s in walk(sub, (*path, name)):
            yield p, (help_text if p == (*path, name) else h), s


class FiscalCliffCli(SphinxDirective):
    """Render every command's ``--help`` as nested sections (``fiscalcliff data show`` under
    ``fiscalcliff data``), each with an anchor such as ``#fiscalcliff-report``."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        import fiscalcliff.cli.main as cli_main
        import fiscalcliff.report.cli as report_cli
        from fiscalcliff.cli.main import build_parser

        for module in (cli_main, report_cli):  # rebuild this page when the CLI changes
            self.env.note_dependency(module.__file__)
        with _columns(HELP_WIDTH):
            parser = build_parser()
            entries = [(p, h, s.format_help()) for p, h, s in walk(parser)]
        top: list[nodes.Node] = []
        sections: dict[tuple[str, ...], nodes.section] = {}
        for path, help_text, text in entries:
            title = " ".join(("fiscalcliff", *path))
            section = nodes.section(
                ids=[nodes.make_id(title)], names=[nodes.fully_normalize_name(title)]
            )
            section += nodes.title(title, title)
            if help_text:
                sentence = help_text[0].upper() + help_text[1:] + "."
                section += nodes.paragraph(sentence, sentence)
            block = nodes.literal_block(text.rstrip(), text.rstrip())
            block["language"] = "text"
            section += block
            self.state.document.note_implicit_target(section, section)
            sections[path] = section
            parent = sections.get(path[:-1]) if len(path) > 1 else None
            if parent is not None:
                parent += section
            else:
                top.append(section)
        return top


def setup(app):
    app.add_directive("fiscalcliff-cli", FiscalCliffCli)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
