"""What changed between two versions of a definition, and which changes break comparability.

A change breaks comparability when answers given before and after it can no longer be pooled
or compared as answers to one question: the question is gone, reworded or of another type, a
choice code now means something else or is gone, a Likert item is gone or reworded, or the
question is asked of different people (its condition changed). Added questions, added codes,
new order, help texts, requiredness and constraints do not.
"""

from dataclasses import dataclass
from difflib import SequenceMatcher

KINDS = (
    "title",
    "added",
    "removed",
    "reworded",
    "moved",
    "type",
    "choice_added",
    "choice_removed",
    "choice_relabelled",
    "choice_substantive",
    "item_added",
    "item_removed",
    "item_reworded",
    "condition",
    "required",
    "help",
    "constraint",
)
BREAKING = {
    "removed",
    "reworded",
    "type",
    "choice_removed",
    "choice_relabelled",
    "choice_substantive",
    "item_removed",
    "item_reworded",
    "condition",
}


@dataclass(frozen=True)
class Change:
    """One difference: its ``kind`` (see :data:`KINDS`), the question key, what it was and is."""

    kind: str
    key: str
    before: str = ""
    after: str = ""

    @property
    def breaking(self):
        """Whether answers before and after this change cannot be compared."""
        return self.kind in BREAKING


@dataclass(frozen=True)
class DefinitionDiff:
    """The changes from ``old`` to ``new``, in questionnaire order."""

    changes: tuple

    @property
    def breaking(self):
        return tuple(c for c in self.changes if c.breaking)

    def __bool__(self):
        return bool(self.changes)


def _text(texts):
    return " / ".join(texts[lang] for lang in ("zh", "en") if texts.get(lang))


def _choice_changes(key, old, new):
    before = {c.code: c for c in old.choices}
    after = {c.code: c for c in new.choices}
    for code, choice in before.items():
        other = after.get(code)
        if other is None:
            yield Change("choice_removed", key, f"{code} {_text(choice.label)}")
        elif other.label != choice.label:
            yield Change(
                "choice_relabelled",
                key,
                f"{code} {_text(choice.label)}",
                f"{code} {_text(other.label)}",
            )
        elif other.substantive != choice.substantive:
            yield Change("choice_substantive", key, str(code), str(code))
    for code, choice in after.items():
        if code not in before:
            yield Change("choice_added", key, "", f"{code} {_text(choice.label)}")


def _item_changes(key, old, new):
    before = {i.key: i for i in old.items}
    after = {i.key: i for i in new.items}
    for item_key, item in before.items():
        other = after.get(item_key)
        if other is None:
            yield Change("item_removed", key, f"{item_key}: {_text(item.label)}")
        elif other.label != item.label:
            yield Change(
                "item_reworded",
                key,
                f"{item_key}: {_text(item.label)}",
                f"{item_key}: {_text(other.label)}",
            )
    for item_key, item in after.items():
        if item_key not in before:
            yield Change("item_added", key, "", f"{item_key}: {_text(item.label)}")


def _question_changes(old, new, moved):
    key = old.key
    if old.type != new.type:
        yield Change("type", key, old.type, new.type)
    if old.text != new.text:
        yield Change("reworded", key, _text(old.text), _text(new.text))
    if moved:
        yield Change("moved", key, str(moved[0]), str(moved[1]))
    if old.type == new.type:  # a new type makes code-by-code changes beside the point
        yield from _choice_changes(key, old, new)
        yield from _item_changes(key, old, new)
    if old.relevant != new.relevant:
        yield Change("condition", key, old.relevant or "", new.relevant or "")
    if old.required != new.required:
        yield Change("required", key, str(old.required), str(new.required))
    if old.help != new.help:
        yield Change("help", key, _text(old.help), _text(new.help))
    limits = ("min", "max", "max_length", "max_choices", "constraint", "constraint_message")
    if any(getattr(old, n) != getattr(new, n) for n in limits):
        yield Change(
            "constraint",
            key,
            _limits(old, limits),
            _limits(new, limits),
        )


def _limits(question, names):
    return ", ".join(
        f"{n}={getattr(question, n)}" for n in names if getattr(question, n) not in (None, {})
    )


def compare(old, new):
    """The :class:`DefinitionDiff` from definition ``old`` to definition ``new``."""
    changes = []
    if old.title != new.title:
        changes.append(Change("title", "", _text(old.title), _text(new.title)))
    old_keys = [q.key for q in old.questions]
    new_keys = [q.key for q in new.questions]
    kept_old = [k for k in old_keys if k in new_keys]
    kept_new = [k for k in new_keys if k in old_keys]
    # Questions outside the longest run kept in order are the ones that moved.
    in_order = set()
    for block in SequenceMatcher(a=kept_old, b=kept_new, autojunk=False).get_matching_blocks():
        in_order.update(kept_old[block.a : block.a + block.size])
    for question in new.questions:
        if question.key not in old_keys:
            changes.append(Change("added", question.key, "", _text(question.text)))
            continue
        before = next(q for q in old.questions if q.key == question.key)
        moved = None
        if question.key not in in_order:
            moved = (old_keys.index(question.key) + 1, new_keys.index(question.key) + 1)
        changes.extend(_question_changes(before, question, moved))
    for question in old.questions:
        if question.key not in new_keys:
            changes.append(Change("removed", question.key, _text(question.text)))
    return DefinitionDiff(tuple(changes))
