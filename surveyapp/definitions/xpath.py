"""The XPath that XLSForm authors write in ``relevant`` and ``constraint``, to and from the
condition language (:mod:`.conditions`).

Supported: ``${q} = 'v'``, ``!=``, ``<``, ``<=``, ``>``, ``>=`` against a quoted choice name or a
number, ``${q} != ''`` (answered), ``selected(${q}, 'v')``, ``count-selected(${q}) >= n``,
``and``, ``or``, ``not(...)``, parentheses and ``.`` (the question itself, in constraints).
Anything else is refused with a :class:`XPathError` saying what could not be read.

Choice names become codes through :class:`Field` (a question as the translation needs it). An
``or`` of equalities on one question reads back as ``q in [...]``, which is how
:func:`to_xpath` writes ``in``: a condition survives the trip out and back unchanged.
"""

import re
from dataclasses import dataclass
from dataclasses import field

from . import conditions


class XPathError(ValueError):
    """The expression uses XPath this tool does not translate."""


@dataclass(frozen=True)
class Field:
    """What translation needs of a question: how its answers compare, and its choice names."""

    key: str
    kind: str  # "choice" (codes), "number" or "text"
    names: dict = field(default_factory=dict)  # choice name -> code

    def code_of(self, literal):
        """The code of a choice name (or of a code written as text)."""
        if literal in self.names:
            return self.names[literal]
        codes = set(self.names.values())
        try:
            number = float(literal)
        except ValueError:
            number = None
        if number is not None and (number in codes or not self.names):
            return number
        raise XPathError(f"{literal!r} is not a choice of {self.key}")

    def name_of(self, code):
        """The name to write for ``code`` (the author's name, else the code itself)."""
        for name, value in self.names.items():
            if float(value) == float(code):
                return name
        return conditions._number(code)


_TOKEN = re.compile(
    r"\s*(?:(?P<ref>\$\{[A-Za-z_][A-Za-z0-9_.-]*\})|(?P<str>'[^']*'|\"[^\"]*\")"
    r"|(?P<num>-?\d+(?:\.\d+)?)|(?P<op>!=|<=|>=|=|<|>|\(|\)|,)"
    r"|(?P<word>[A-Za-z][A-Za-z0-9-]*)|(?P<self>\.))"
)
_FLIP = {"=": "=", "!=": "!=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}
_TO_CONDITION = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_TO_XPATH = {v: k for k, v in _TO_CONDITION.items()}


def to_condition(xpath, fields, self_key=None):
    """The condition-language text of ``xpath``; ``fields`` maps key -> :class:`Field`.

    ``self_key`` is the question ``.`` stands for (in a constraint).
    """
    parser = _Parser(_tokenize(xpath), xpath, fields, self_key)
    tree = parser.expr()
    if parser.peek() is not None:
        raise XPathError(f"unexpected {parser.peek()[1]!r}")
    return conditions.to_source(tree)


def to_xpath(source, fields, self_key=None):
    """The XPath of a condition-language text (the inverse of :func:`to_condition`)."""
    return _XPathWriter(fields, self_key).write(conditions.parse(source).tree)


def _tokenize(text):
    tokens, pos, text = [], 0, text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise XPathError(f"cannot read {text[pos:]!r}")
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens, text, fields, self_key):
        self.tokens, self.pos, self.text = tokens, 0, text
        self.fields, self.self_key = fields, self_key
        # Parenthesised comparisons are not folded into ``in`` (see _XPathWriter.write).
        self.grouped = set()

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, value=None, kind=None):
        token = self.peek()
        if token is None or (value and token[1] != value) or (kind and token[0] != kind):
            wanted = value or kind
            found = token[1] if token else "the end"
            raise XPathError(f"expected {wanted!r} but found {found!r}")
        self.pos += 1
        return token

    def expr(self):
        parts = [self.and_expr()]
        while self.peek() == ("word", "or"):
            self.take("or")
            parts.append(self.and_expr())
        if any(id(part) in self.grouped for part in parts):
            return _fold_or(parts, fold=False)
        return _fold_or(parts)

    def and_expr(self):
        node = self.unary()
        while self.peek() == ("word", "and"):
            self.take("and")
            node = ("and", node, self.unary())
        return node

    def unary(self):
        if self.peek() == ("word", "not"):
            self.take("not")
            self.take("(")
            inner = self.expr()
            self.take(")")
            if inner[0] == "in":
                return ("not in", inner[1], inner[2])
            return ("not", inner)
        return self.primary()

    def primary(self):
        token = self.peek()
        if token == ("op", "("):
            self.take("(")
            node = self.expr()
            self.take(")")
            self.grouped.add(id(node))
            return node
        if token == ("word", "selected"):
            self.take()
            self.take("(")
            key = self.reference()
            self.take(",")
            literal = self.literal()
            self.take(")")
            return ("has", key, self.field(key).code_of(literal))
        if token == ("word", "count-selected"):
            self.take()
            self.take("(")
            key = self.reference()
            self.take(")")
            op = self.take(kind="op")[1]
            if op not in _TO_CONDITION:
                raise XPathError(f"expected a comparison after count-selected, found {op!r}")
            return ("count", key, _TO_CONDITION[op], float(self.literal()))
        if token and token[0] == "word":
            raise XPathError(f"the function or word {token[1]!r} is not supported")
        return self.comparison()

    def comparison(self):
        left = self.operand()
        op = self.take(kind="op")[1]
        if op not in _TO_CONDITION:
            raise XPathError(f"expected a comparison, found {op!r}")
        right = self.operand()
        if left[0] != "ref" and right[0] == "ref":
            left, right, op = right, left, _FLIP[op]
        if left[0] != "ref" or right[0] == "ref":
            raise XPathError("compare a question with a value, e.g. ${q} = 'v'")
        key, literal = left[1], right[1]
        target = self.field(key)
        if literal == "" and op in ("=", "!="):
            answered = ("answered", key)
            return answered if op == "!=" else ("not", answered)
        if target.kind == "text":
            raise XPathError(f"comparing the text answer of {key} is not supported")
        if target.kind == "choice" and (op in ("=", "!=") or literal in target.names):
            value = target.code_of(literal)
        else:
            try:
                value = float(literal)
            except ValueError:
                raise XPathError(f"{literal!r} is not a number (for {key})") from None
        return (_TO_CONDITION[op], key, value)

    def operand(self):
        token = self.peek()
        if token is None:
            raise XPathError("the expression ends too early")
        if token[0] in ("ref", "self"):
            return ("ref", self.reference())
        return ("lit", self.literal())

    def reference(self):
        kind, value = self.take()
        if kind == "self":
            if self.self_key is None:
                raise XPathError("'.' (this question) is only allowed in a constraint")
            return self.self_key
        if kind != "ref":
            raise XPathError(f"expected a question reference like ${{q}}, found {value!r}")
        key = value[2:-1]
        self.field(key)
        return key

    def literal(self):
        kind, value = self.take()
        if kind == "str":
            return value[1:-1]
        if kind == "num":
            return value
        raise XPathError(f"expected a value, found {value!r}")

    def field(self, key):
        found = self.fields.get(key)
        if found is None:
            raise XPathError(f"${{{key}}} is not an earlier question")
        return found


def _same_key_equalities(parts):
    return len(parts) > 1 and all(p[0] == "==" and p[1] == parts[0][1] for p in parts)


def _or_leaves(tree):
    if tree[0] == "or":
        return _or_leaves(tree[1]) + _or_leaves(tree[2])
    return [tree]


def _fold_or(parts, fold=True):
    """``q = a or q = b`` is ``q in [a, b]``; other disjunctions stay as they are."""
    if fold and _same_key_equalities(parts):
        return ("in", parts[0][1], tuple(p[2] for p in parts))
    node = parts[0]
    for part in parts[1:]:
        node = ("or", node, part)
    return node


class _XPathWriter:
    def __init__(self, fields, self_key):
        self.fields, self.self_key = fields, self_key

    def ref(self, key):
        return "." if key == self.self_key else f"${{{key}}}"

    def value(self, key, number):
        target = self.fields.get(key)
        if target is not None and target.kind == "choice":
            return f"'{target.name_of(number)}'"
        return conditions._number(number)

    def write(self, tree):
        op = tree[0]
        if op == "or":
            leaves = _or_leaves(tree)
            if _same_key_equalities(leaves):
                # Parenthesised, so it reads back as these equalities and not as ``in``.
                return " or ".join(f"({self.write(leaf)})" for leaf in leaves)
            return f"{self.write(tree[1])} or {self.write(tree[2])}"
        if op == "and":
            return f"{self.operand(tree[1])} and {self.operand(tree[2])}"
        if op == "not":
            return f"not({self.write(tree[1])})"
        if op == "answered":
            return f"{self.ref(tree[1])} != ''"
        if op == "has":
            return f"selected({self.ref(tree[1])}, {self.value(tree[1], tree[2])})"
        if op == "count":
            return (
                f"count-selected({self.ref(tree[1])}) {_TO_XPATH[tree[2]]} "
                f"{conditions._number(tree[3])}"
            )
        if op in ("in", "not in"):
            equal = " or ".join(f"{self.ref(tree[1])} = {self.value(tree[1], v)}" for v in tree[2])
            return f"({equal})" if op == "in" else f"not({equal})"
        return f"{self.ref(tree[1])} {_TO_XPATH[op]} {self.value(tree[1], tree[2])}"

    def operand(self, tree):
        text = self.write(tree)
        return f"({text})" if tree[0] == "or" else text
