"""Safe arithmetic formulas over series names: ``+ - * /``, numbers, names and parentheses.

Products and quotients serve catalogue series such as a bill share (``100 * bills / debt``);
identities between model variables must stay linear (:attr:`Formula.is_linear`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_TOKEN_RE = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>[-+*/()]))"
)

# AST nodes: ("num", float) | ("name", str) | ("neg", node) | ("add"/"sub"/"mul"/"div", node, node)
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
            On any character or construct outside names, numbers, ``+ - * /`` and parentheses.
        """
        tokens = _tokenize(text)
        parser = _Parser(tokens, text)
        tree = parser.expression()
        if parser.pos != len(tokens):
            raise FormulaError(f"unexpected {tokens[parser.pos][1]!r} in formula {text!r}")
        names: list[str] = []
        _collect_names(tree, names)
        return cls(text=" ".join(text.split()), names=tuple(names), _tree=tree)

    @property
    def is_linear(self) -> bool:
        """True if the formula is a constant plus numbers times names (no name times or over a
        name), so that it can be written as ``weights @ values + constant``."""
        return _linear(self._tree)

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
                f"unexpected {bad!r} in formula {text!r}: only names, numbers, +, -, *, / "
                "and parentheses are allowed"
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
        node = self.product()
        while (tok := self._peek()) is not None and tok[1] in ("+", "-"):
            self.pos += 1
            node = ("add" if tok[1] == "+" else "sub", node, self.product())
        return node

    def product(self) -> Node:
        node = self.term()
        while (tok := self._peek()) is not None and tok[1] in ("*", "/"):
            self.pos += 1
            node = ("mul" if tok[1] == "*" else "div", node, self.term())
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
    elif node[0] in ("neg", "add", "sub", "mul", "div"):
        for child in node[1:]:
            _collect_names(child, out)


def _constant(node: Node) -> bool:
    if node[0] == "num":
        return True
    if node[0] == "name":
        return False
    return all(_constant(child) for child in node[1:])


def _linear(node: Node) -> bool:
    kind = node[0]
    if kind in ("num", "name"):
        return True
    if kind == "neg":
        return _linear(node[1])
    if kind in ("add", "sub"):
        return _linear(node[1]) and _linear(node[2])
    if kind == "mul":
        return (_constant(node[1]) and _linear(node[2])) or (
            _constant(node[2]) and _linear(node[1])
        )
    return _constant(node[2]) and _linear(node[1])  # div: only by a constant


def _evaluate(node: Node, env: Mapping[str, Any]) -> Any:
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "name":
        return env[node[1]]
    if kind == "neg":
        return -_evaluate(node[1], env)
    left, right = _evaluate(node[1], env), _evaluate(node[2], env)
    if kind == "add":
        return left + right
    if kind == "sub":
        return left - right
    if kind == "mul":
        return left * right
    return left / right
