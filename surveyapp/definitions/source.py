"""A stored definition written back as authors write it: YAML source and JSON.

:func:`to_source` is the inverse of :func:`surveyapp.definitions.loader.validate`:
``validate(to_source(d)) == d``. Questions on a shared scale name the scale instead of
repeating its choices; attributes at their defaults are left out.
"""

import json

import yaml

from .qtypes import question_type
from .schema import DEFAULT_TIMEZONE


def _choice(choice):
    data = {"code": choice.code, "label": dict(choice.label)}
    if not choice.substantive:
        data["substantive"] = False
    if choice.name is not None:
        data["name"] = choice.name
    return data


def _question(question):
    qtype = question_type(question.type)
    data = {"key": question.key, "type": question.type}
    if question.required:
        data["required"] = True
    data["text"] = dict(question.text)
    if question.help:
        data["help"] = dict(question.help)
    if question.report_label:
        data["report_label"] = dict(question.report_label)
    if question.relevant is not None:
        data["relevant"] = question.relevant
    if qtype.needs_scale and question.scale is not None:
        data["scale"] = question.scale
    elif qtype.needs_choices:
        data["choices"] = [_choice(c) for c in question.choices]
    if question.items:
        data["items"] = [{"key": i.key, "label": dict(i.label)} for i in question.items]
    for name in ("min", "max", "max_length", "max_choices", "constraint"):
        value = getattr(question, name)
        if value is not None:
            data[name] = value
    if question.constraint_message:
        data["constraint_message"] = dict(question.constraint_message)
    return data


def to_source(definition):
    """The definition as the plain data of a YAML file (like the shipped surveys' files)."""
    data = {"key": definition.key, "title": dict(definition.title)}
    if definition.intro:
        data["intro"] = dict(definition.intro)
    if definition.thanks:
        data["thanks"] = dict(definition.thanks)
    if definition.population:
        data["population"] = dict(definition.population)
    if definition.timezone != DEFAULT_TIMEZONE:
        data["timezone"] = definition.timezone
    if definition.allow_multiple:
        data["allow_multiple"] = True
    if definition.analysis:
        data["analysis"] = definition.analysis
    if definition.scales:
        data["scales"] = {
            name: [_choice(c) for c in choices] for name, choices in definition.scales.items()
        }
    data["questions"] = [_question(q) for q in definition.questions]
    return data


def to_yaml(definition):
    """The definition as YAML text that ``survey load`` reads back to the same definition."""
    return yaml.safe_dump(
        to_source(definition), allow_unicode=True, sort_keys=False, width=100, indent=2
    )


def to_json(definition):
    """The stored definition as JSON (questions with their choices and items)."""
    return json.dumps(definition.to_dict(), ensure_ascii=False, indent=2) + "\n"
