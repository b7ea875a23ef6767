"""A tiny safe expression language for data indicators: names, numbers, + - * / and parentheses.

Formulas are parsed with :mod:`ast` and only these nodes are accepted, so nothing an evaluator
types can call a function, read an attribute or index anything.
"""

import ast
from dataclasses import dataclass

from flask_babel import gettext as _

MAX_LENGTH = 500
_OPERATORS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}


class FormulaError(ValueError):
    """A formula that cannot be used; the message says why."""


@dataclass(frozen=True)
class Formula:
    """A parsed formula: its text and the count names it reads."""

    text: str
    names: tuple[str, ...]
    tree: ast.Expression


def parse(text):
    """Parse and check ``text`` (``立案数 / 上报数``); raises :class:`FormulaError`."""
    text = str(text or "").strip()
    if not text:
        raise FormulaError(_("the formula is empty"))
    if len(text) > MAX_LENGTH:
        raise FormulaError(_("the formula is longer than %(n)s characters", n=MAX_LENGTH))
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError) as exc:
        raise FormulaError(
            _("cannot read the formula %(text)r: %(error)s", text=text, error=exc.msg)
        ) from None
    except RecursionError:
        raise FormulaError(_("the formula %(text)r is nested too deeply", text=text)) from None
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if node.id not in names:
                names.append(node.id)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise FormulaError(
                    _("only numbers may appear in a formula, not %(value)r", value=node.value)
                )
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _OPERATORS:
                raise FormulaError(
                    _("a formula may hold only names, numbers, + - * / and parentheses")
                )
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.USub | ast.UAdd):
                raise FormulaError(
                    _("a formula may hold only names, numbers, + - * / and parentheses")
                )
        elif not isinstance(node, ast.Expression | ast.Load | ast.operator | ast.unaryop):
            raise FormulaError(_("a formula may hold only names, numbers, + - * / and parentheses"))
    return Formula(text=text, names=tuple(names), tree=tree)


def evaluate(formula, values):
    """The value of ``formula`` given ``{name: number or None}``; None if a count or divisor is missing."""
    try:
        return _eval(formula.tree.body, values)
    except _Missing:
        return None


class _Missing(Exception):
    pass


def _eval(node, values):
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        value = values[node.id]  # names are checked against the counts at load time
        if value is None:
            raise _Missing
        return float(value)
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values)
        return -operand if isinstance(node.op, ast.USub) else operand
    left, right = _eval(node.left, values), _eval(node.right, values)
    if isinstance(node.op, ast.Div) and right == 0:
        raise _Missing
    return _OPERATORS[type(node.op)](left, right)
