"""The small condition language of ``relevant:``, parsed once and evaluated without ``eval``.

Grammar::

    expr    := and_expr ("or" and_expr)*
    and_expr:= not_expr ("and" not_expr)*
    not_expr:= "not" not_expr | atom
    atom    := "(" expr ")" | "answered" "(" KEY ")" | "count" "(" KEY ")" cmp NUMBER
             | KEY op value
    op      := "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in" | "has"
    value   := NUMBER | "[" NUMBER ("," NUMBER)* "]"

``KEY`` names an earlier question (or Likert item). ``has`` asks whether a multiple-choice
answer includes a code; ``count(KEY)`` is the number of codes chosen (0 when unanswered).
A question's ``constraint`` names the question itself for its own answer (``age >= 18``). A comparison with an unanswered question is false, so
``awareness != 4`` does not show a follow-up to someone who skipped ``awareness``.

Examples: ``awareness in [1, 2, 3]``, ``reported == 1 and not (age_group == 1)``,
``heard_via has 2``.
"""

import re
from dataclasses import dataclass

import numpy as np
from flask_babel import gettext as _

_TOKEN = re.compile(
    r"\s*(?:(?P<num>-?\d+(?:\.\d+)?)|(?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,)"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*))"
)
_KEYWORDS = {"and", "or", "not", "in", "has", "answered", "count"}
# A condition in a real questionnaire is a line or two; parsing and evaluating recurse, so a
# longer or deeper one is refused as an error rather than overflowing the stack.
MAX_LENGTH = 2000
MAX_DEPTH = 20
_COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")


class ConditionError(ValueError):
    """The expression is not in the condition language."""


@dataclass(frozen=True)
class Condition:
    """A parsed condition: ``keys`` it reads, and :meth:`holds` to evaluate it."""

    source: str
    tree: tuple
    keys: frozenset

    def holds(self, answers):
        """Evaluate over ``answers`` (key -> number, list of numbers, or None)."""
        return bool(_evaluate(self.tree, answers))


def parse(source):
    """Parse ``source`` into a :class:`Condition`, or raise :class:`ConditionError`."""
    if len(source) > MAX_LENGTH:
        raise ConditionError(
            _(
                "the condition has %(length)d characters; at most %(limit)d are allowed",
                length=len(source),
                limit=MAX_LENGTH,
            )
        )
    tokens = _tokenize(source)
    parser = _Parser(tokens, source)
    tree = parser.expr()
    if parser.peek() is not None:
        raise ConditionError(
            _(
                "unexpected %(token)r in condition %(source)r",
                token=parser.peek()[1],
                source=source,
            )
        )
    return Condition(source, tree, frozenset(_keys(tree)))


def _tokenize(source):
    tokens, pos = [], 0
    source = source.strip()
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if not match or match.end() == pos:
            raise ConditionError(
                _(
                    "cannot read %(rest)r in condition %(source)r",
                    rest=source[pos:],
                    source=source,
                )
            )
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "word" and value in _KEYWORDS:
            kind = "kw"
        tokens.append((kind, value))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens, source):
        self.tokens, self.pos, self.source = tokens, 0, source
        self.depth = 0

    def deeper(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ConditionError(
                _(
                    "the condition nests parentheses and 'not' more than %(limit)d deep",
                    limit=MAX_DEPTH,
                )
            )

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, value=None, kind=None):
        token = self.peek()
        if token is None or (value and token[1] != value) or (kind and token[0] != kind):
            wanted = _wanted(value, kind)
            if token is None:
                raise ConditionError(
                    _(
                        "expected %(wanted)s but the condition %(source)r ends",
                        wanted=wanted,
                        source=self.source,
                    )
                )
            raise ConditionError(
                _(
                    "expected %(wanted)s but found %(found)r in %(source)r",
                    wanted=wanted,
                    found=token[1],
                    source=self.source,
                )
            )
        self.pos += 1
        return token

    def expr(self):
        node = self.and_expr()
        while self.peek() == ("kw", "or"):
            self.take("or")
            node = ("or", node, self.and_expr())
        return node

    def and_expr(self):
        node = self.not_expr()
        while self.peek() == ("kw", "and"):
            self.take("and")
            node = ("and", node, self.not_expr())
        return node

    def not_expr(self):
        if self.peek() == ("kw", "not"):
            self.take("not")
            self.deeper()
            node = ("not", self.not_expr())
            self.depth -= 1
            return node
        return self.atom()

    def atom(self):
        if self.peek() == ("op", "("):
            self.take("(")
            self.deeper()
            node = self.expr()
            self.take(")")
            self.depth -= 1
            return node
        if self.peek() == ("kw", "answered"):
            self.take("answered")
            self.take("(")
            key = self.take(kind="word")[1]
            self.take(")")
            return ("answered", key)
        if self.peek() == ("kw", "count"):
            self.take("count")
            self.take("(")
            key = self.take(kind="word")[1]
            self.take(")")
            token = self.peek()
            if not token or token[1] not in _COMPARISONS:
                raise ConditionError(
                    _(
                        "expected a comparison after %(what)s in %(source)r",
                        what=f"count({key})",
                        source=self.source,
                    )
                )
            self.take()
            return ("count", key, token[1], self.number())
        key = self.take(kind="word")[1]
        token = self.peek()
        if token == ("kw", "not"):
            self.take("not")
            self.take("in")
            return ("not in", key, self.number_list())
        if token == ("kw", "in"):
            self.take("in")
            return ("in", key, self.number_list())
        if token == ("kw", "has"):
            self.take("has")
            return ("has", key, self.number())
        if token and token[1] in _COMPARISONS:
            self.take()
            return (token[1], key, self.number())
        raise ConditionError(
            _(
                "expected a comparison after %(what)s in %(source)r",
                what=repr(key),
                source=self.source,
            )
        )

    def number(self):
        return float(self.take(kind="num")[1])

    def number_list(self):
        self.take("[")
        values = [self.number()]
        while self.peek() == ("op", ","):
            self.take(",")
            values.append(self.number())
        self.take("]")
        return tuple(values)


def _wanted(value, kind):
    """What :meth:`_Parser.take` looked for, in words."""
    if value:
        return repr(value)
    return _("a question key") if kind == "word" else _("a number")


def _keys(tree):
    op = tree[0]
    if op in ("and", "or"):
        return _keys(tree[1]) | _keys(tree[2])
    if op == "not":
        return _keys(tree[1])
    return {tree[1]}


_COMPARE = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _evaluate(tree, answers):
    op = tree[0]
    if op == "and":
        return _evaluate(tree[1], answers) and _evaluate(tree[2], answers)
    if op == "or":
        return _evaluate(tree[1], answers) or _evaluate(tree[2], answers)
    if op == "not":
        return not _evaluate(tree[1], answers)
    value = answers.get(tree[1])
    if op == "count":
        chosen = value if isinstance(value, (list, tuple, set)) else [value]
        return _COMPARE[tree[2]](sum(v not in (None, "") for v in chosen), tree[3])
    if op == "answered":
        return value not in (None, "", [], ())
    if value in (None, "", [], ()):
        return False
    if op == "has":
        values = value if isinstance(value, (list, tuple, set)) else [value]
        return tree[2] in {float(v) for v in values}
    if isinstance(value, (list, tuple, set)):
        return False
    try:
        value = float(value)
    except (TypeError, ValueError):
        return False
    if op == "in":
        return value in tree[2]
    if op == "not in":
        return value not in tree[2]
    return _COMPARE[op](value, tree[2])


def to_source(tree):
    """The canonical text of a parsed condition (``parse(to_source(t)).tree == t``)."""
    op = tree[0]
    if op == "or":
        return f"{to_source(tree[1])} or {to_source(tree[2])}"
    if op == "and":
        return f"{_operand(tree[1])} and {_operand(tree[2])}"
    if op == "not":
        inner = tree[1]
        if inner[0] in ("and", "or"):
            return f"not ({to_source(inner)})"
        return f"not {to_source(inner)}"
    if op == "answered":
        return f"answered({tree[1]})"
    if op == "count":
        return f"count({tree[1]}) {tree[2]} {_number(tree[3])}"
    if op in ("in", "not in"):
        return f"{tree[1]} {op} [{', '.join(_number(v) for v in tree[2])}]"
    return f"{tree[1]} {op} {_number(tree[2])}"


def _operand(tree):
    return f"({to_source(tree)})" if tree[0] == "or" else to_source(tree)


def _number(value):
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def holds_columns(condition, columns, n):
    """Evaluate ``condition`` for ``n`` respondents at once (numpy), as :meth:`Condition.holds`
    would for each.

    ``columns`` maps a key to an object with ``answered`` (bool array), ``number`` (float array,
    NaN where the answer is not one number) and ``has(code)`` (bool array); a key missing from
    ``columns`` is unanswered by everyone.
    """

    def walk(tree):
        op = tree[0]
        if op in ("and", "or"):
            combine = np.logical_and if op == "and" else np.logical_or
            return combine(walk(tree[1]), walk(tree[2]))
        if op == "not":
            return ~walk(tree[1])
        column = columns.get(tree[1])
        if column is None:
            return np.zeros(n, dtype=bool)
        if op == "answered":
            return column.answered.copy()
        if op == "has":
            return column.has(tree[2]) & column.answered
        number = column.number
        scalar = ~np.isnan(number)
        with np.errstate(invalid="ignore"):
            if op == "in":
                return scalar & np.isin(number, tree[2])
            if op == "not in":
                return scalar & ~np.isin(number, tree[2])
            return scalar & _COMPARE[op](number, tree[2])

    return walk(condition.tree)
