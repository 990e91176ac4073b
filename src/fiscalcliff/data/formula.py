"""Safe arithmetic formulas over series names: ``+``, ``-``, numbers, names and parentheses."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_TOKEN_RE = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>[-+()]))"
)

# AST nodes: ("num", float) | ("name", str) | ("neg", node) | ("add"/"sub", node, node)
Node = tuple[Any, ...]


class FormulaError(ValueError):
    """A formula could not be parsed."""


@dataclass(frozen=True)
class Formula:
    """A parsed formula such as ``fed_assets - reserves - tga - rrp``.

    Use :meth:`parse` to build one; nothing is ever passed to ``eval``.

    Attributes
    ----------
    text
        The formula as written.
    names
        Names used, in order of first appearance.
    """

    text: str
    names: tuple[str, ...]
    _tree: Node

    @classmethod
    def parse(cls, text: str) -> Formula:
        """Parse `text`.

        Raises
        ------
        FormulaError
            On any character or construct outside names, numbers, ``+``, ``-`` and parentheses.
        """
        tokens = _tokenize(text)
        parser = _Parser(tokens, text)
        tree = parser.expression()
        if parser.pos != len(tokens):
            raise FormulaError(f"unexpected {tokens[parser.pos][1]!r} in formula {text!r}")
        names: list[str] = []
        _collect_names(tree, names)
        return cls(text=" ".join(text.split()), names=tuple(names), _tree=tree)

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        """Evaluate with names bound by `env` (floats, numpy arrays or pandas series)."""
        return _evaluate(self._tree, env)


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    stripped = text.rstrip()
    while pos < len(stripped):
        match = _TOKEN_RE.match(stripped, pos)
        if match is None or match.end() == pos:
            bad = stripped[pos:].lstrip()[:1]
            raise FormulaError(
                f"unexpected {bad!r} in formula {text!r}: only names, numbers, +, - and "
                "parentheses are allowed"
            )
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    if not tokens:
        raise FormulaError("empty formula")
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], text: str) -> None:
        self.tokens = tokens
        self.text = text
        self.pos = 0

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def expression(self) -> Node:
        node = self.term()
        while (tok := self._peek()) is not None and tok[1] in ("+", "-"):
            self.pos += 1
            node = ("add" if tok[1] == "+" else "sub", node, self.term())
        return node

    def term(self) -> Node:
        tok = self._peek()
        if tok is None:
            raise FormulaError(f"formula {self.text!r} ends too early")
        self.pos += 1
        kind, value = tok
        if kind == "number":
            return ("num", float(value))
        if kind == "name":
            return ("name", value)
        if value == "-":
            return ("neg", self.term())
        if value == "+":
            return self.term()
        if value == "(":
            node = self.expression()
            if self._peek() != ("op", ")"):
                raise FormulaError(f"missing ')' in formula {self.text!r}")
            self.pos += 1
            return node
        raise FormulaError(f"unexpected {value!r} in formula {self.text!r}")


def _collect_names(node: Node, out: list[str]) -> None:
    if node[0] == "name":
        if node[1] not in out:
            out.append(node[1])
    elif node[0] in ("neg", "add", "sub"):
        for child in node[1:]:
            _collect_names(child, out)


def _evaluate(node: Node, env: Mapping[str, Any]) -> Any:
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "name":
        return env[node[1]]
    if kind == "neg":
        return -_evaluate(node[1], env)
    left, right = _evaluate(node[1], env), _evaluate(node[2], env)
    return left + right if kind == "add" else left - right
