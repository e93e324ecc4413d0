"""A small, safe condition language for the ruleset, compiled once into Python closures.

Clinicians write conditions such as ``phq9_total >= 10 and not tms_offered`` in ruleset.yaml.
They are tokenised and parsed here by hand (recursive descent over a fixed grammar), never with
``eval`` or Python's ``ast``, so a ruleset file cannot run arbitrary code. Every name is checked
against the declared fact types while compiling, so a typo or a comparison that can never be
true stops the ruleset from loading instead of silently never firing.

Grammar::

    condition  := or_expr
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | comparison
    comparison := operand [("==" | "!=" | "<" | "<=" | ">" | ">=") operand]
                | operand ["not"] "in" "[" literal ("," literal)* "]"
    operand    := NAME | INTEGER | "quoted text" | "true" | "false" | "(" or_expr ")"
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Facts = Mapping[str, Any]
Compiled = Callable[[Facts], Any]

_TOKEN = re.compile(
    r"\s*(?:(?P<int>\d+)|(?P<str>\"[^\"\\]*\")|(?P<name>[A-Za-z_]\w*)"
    r"|(?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,))"
)
_KEYWORDS = {"and", "or", "not", "in", "true", "false"}
_COMPARE = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


class ExpressionError(ValueError):
    """A condition that does not parse or does not type-check."""


@dataclass(frozen=True)
class FactType:
    """The type of a fact: ``int``, ``bool``, ``enum`` (one of ``choices``) or ``text``.

    ``text`` facts are for ``because`` lines only and cannot appear in a condition.
    """

    kind: str
    choices: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.kind == "enum":
            return "one of " + ", ".join(f'"{c}"' for c in self.choices)
        return {
            "int": "a number",
            "bool": "true or false",
            "text": "display text",
            "string": "quoted text",
        }[self.kind]


INT = FactType("int")
BOOL = FactType("bool")
TEXT = FactType("text")
_STRING = FactType("string")  # a quoted literal, before it meets the enum it is compared with


def enum(*choices: str) -> FactType:
    return FactType("enum", tuple(choices))


@dataclass(frozen=True)
class _Node:
    type: FactType
    run: Compiled
    fact: str | None = None
    constant: Any = None
    is_constant: bool = False


def compile_condition(
    source: str, types: Mapping[str, FactType]
) -> tuple[Compiled, frozenset[str]]:
    """Compile ``source`` into a function of the facts, and the set of names it reads.

    Raises :class:`ExpressionError` for a syntax error, an unknown name or a type mismatch.
    """
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError("the condition is empty")
    parser = _Parser(_tokenise(source), types)
    node = parser.or_expr()
    if parser.peek() is not None:
        raise ExpressionError(f"unexpected {parser.peek()!r}")
    if node.type != BOOL:
        raise ExpressionError(f"the condition must be true or false, not {node.type.describe()}")
    return node.run, frozenset(parser.names)


def _tokenise(source: str) -> list[str]:
    words: list[str] = []
    position = 0
    source = source.rstrip()
    while position < len(source):
        match = _TOKEN.match(source, position)
        if not match:
            raise ExpressionError(f"cannot read {source[position:].strip()[:20]!r}")
        words.append(match.group(match.lastgroup or 0))
        position = match.end()
    return words


class _Parser:
    def __init__(self, words: list[str], types: Mapping[str, FactType]) -> None:
        self.words = words
        self.position = 0
        self.types = types
        self.names: set[str] = set()

    def peek(self) -> str | None:
        return self.words[self.position] if self.position < len(self.words) else None

    def take(self, expected: str | None = None) -> str:
        word = self.peek()
        if word is None:
            raise ExpressionError(
                "the condition ends too early" + (f": expected {expected!r}" if expected else "")
            )
        if expected is not None and word != expected:
            raise ExpressionError(f"expected {expected!r} but found {word!r}")
        self.position += 1
        return word

    def or_expr(self) -> _Node:
        parts = [self.and_expr()]
        while self.peek() == "or":
            self.take()
            parts.append(self.and_expr())
        return _combine(parts, "or")

    def and_expr(self) -> _Node:
        parts = [self.not_expr()]
        while self.peek() == "and":
            self.take()
            parts.append(self.not_expr())
        return _combine(parts, "and")

    def not_expr(self) -> _Node:
        if self.peek() == "not":
            self.take()
            inner = self.not_expr()
            _need_bool(inner, "not")
            if inner.fact is not None:
                name = inner.fact
                return _Node(BOOL, lambda f: not f[name])
            run = inner.run
            return _Node(BOOL, lambda f: not run(f))
        return self.comparison()

    def comparison(self) -> _Node:
        left = self.operand()
        word = self.peek()
        if word in _COMPARE:
            self.take()
            return _compare(left, word, self.operand())
        if word == "in" or (word == "not" and self._next_is("in")):
            negate = self.take() == "not"
            if negate:
                self.take("in")
            return _membership(left, self.literal_list(), negate)
        return left

    def _next_is(self, word: str) -> bool:
        return self.position + 1 < len(self.words) and self.words[self.position + 1] == word

    def literal_list(self) -> list[_Node]:
        self.take("[")
        items = [self.operand()]
        while self.peek() == ",":
            self.take()
            items.append(self.operand())
        self.take("]")
        if not all(item.is_constant for item in items):
            raise ExpressionError("a list after 'in' may hold only quoted text or numbers")
        return items

    def operand(self) -> _Node:
        word = self.take()
        if word == "(":
            node = self.or_expr()
            self.take(")")
            return node
        if word in ("true", "false"):
            return _constant(BOOL, word == "true")
        if word.isdigit():
            return _constant(INT, int(word))
        if word.startswith('"'):
            return _constant(_STRING, word[1:-1])
        if word in _KEYWORDS or not (word[0].isalpha() or word[0] == "_"):
            raise ExpressionError(f"unexpected {word!r}")
        fact_type = self.types.get(word)
        if fact_type is None:
            raise ExpressionError(f"unknown fact {word!r}")
        if fact_type == TEXT:
            raise ExpressionError(f"{word!r} is display text for 'because' lines, not a condition")
        self.names.add(word)
        return _Node(fact_type, operator.itemgetter(word), fact=word)


def _constant(fact_type: FactType, value: Any) -> _Node:
    return _Node(fact_type, lambda f: value, constant=value, is_constant=True)


def _need_bool(node: _Node, where: str) -> None:
    if node.type != BOOL:
        name = node.fact or repr(node.constant)
        raise ExpressionError(
            f"'{where}' needs true or false, but {name} is {node.type.describe()}"
        )


def _combine(parts: list[_Node], word: str) -> _Node:
    if len(parts) == 1:
        return parts[0]
    for part in parts:
        _need_bool(part, word)
    runs = tuple(part.run for part in parts)
    return _Node(BOOL, _and(runs) if word == "and" else _or(runs))


# ``a and b and c`` as one closure rather than one per word: the value Python's ``and`` (``or``)
# gives, the first false (true) part or else the last, with the parts after it not run.


def _and(runs: tuple[Compiled, ...]) -> Compiled:
    if len(runs) == 2:
        first, second = runs
        return lambda f: first(f) and second(f)
    if len(runs) == 3:
        first, second, third = runs
        return lambda f: first(f) and second(f) and third(f)

    def run(f: Facts) -> Any:
        for part in runs:
            value = part(f)
            if not value:
                return value
        return value

    return run


def _or(runs: tuple[Compiled, ...]) -> Compiled:
    if len(runs) == 2:
        first, second = runs
        return lambda f: first(f) or second(f)
    if len(runs) == 3:
        first, second, third = runs
        return lambda f: first(f) or second(f) or third(f)

    def run(f: Facts) -> Any:
        for part in runs:
            value = part(f)
            if value:
                return value
        return value

    return run


def _check_string(node: _Node, other: _Node) -> None:
    """A quoted value compared with an enum fact must be one of that fact's answers."""
    if (
        node.type == _STRING
        and other.type.kind == "enum"
        and node.constant not in other.type.choices
    ):
        raise ExpressionError(
            f'"{node.constant}" is not a possible value of {other.fact}: {other.type.describe()}'
        )


def _compatible(left: FactType, right: FactType) -> bool:
    if {left.kind, right.kind} <= {"enum", "string"}:
        return left.kind == "string" or right.kind == "string" or left == right
    return left == right


def _compare(left: _Node, symbol: str, right: _Node) -> _Node:
    if not _compatible(left.type, right.type):
        raise ExpressionError(
            f"cannot compare {left.fact or repr(left.constant)} ({left.type.describe()}) "
            f"with {right.fact or repr(right.constant)} ({right.type.describe()})"
        )
    if symbol not in ("==", "!=") and left.type != INT:
        raise ExpressionError(f"'{symbol}' compares numbers, not {left.type.describe()}")
    _check_string(left, right)
    _check_string(right, left)
    compare = _COMPARE[symbol]
    if left.fact is not None and right.is_constant:
        return _Node(BOOL, _FACT_WITH_CONSTANT[symbol](left.fact, right.constant))
    left_run, right_run = left.run, right.run
    return _Node(BOOL, lambda f: compare(left_run(f), right_run(f)))


# A fact compared with a constant, the commonest condition, as one closure with the comparison
# written out (no call to ``operator``): what ``_COMPARE[symbol](f[name], value)`` gives.
_FACT_WITH_CONSTANT: dict[str, Callable[[str, Any], Compiled]] = {
    "==": lambda name, value: lambda f: f[name] == value,
    "!=": lambda name, value: lambda f: f[name] != value,
    "<": lambda name, value: lambda f: f[name] < value,
    "<=": lambda name, value: lambda f: f[name] <= value,
    ">": lambda name, value: lambda f: f[name] > value,
    ">=": lambda name, value: lambda f: f[name] >= value,
}


def _membership(left: _Node, items: list[_Node], negate: bool) -> _Node:
    for item in items:
        if not _compatible(left.type, item.type) or left.type == BOOL:
            raise ExpressionError(
                f"cannot look for {left.fact or repr(left.constant)} ({left.type.describe()}) "
                f"in a list holding {item.constant!r}"
            )
        _check_string(item, left)
    values = frozenset(item.constant for item in items)
    if left.fact is not None:
        name = left.fact
        if negate:
            return _Node(BOOL, lambda f: f[name] not in values)
        return _Node(BOOL, lambda f: f[name] in values)
    run = left.run
    if negate:
        return _Node(BOOL, lambda f: run(f) not in values)
    return _Node(BOOL, lambda f: run(f) in values)
