"""Read a survey definition from YAML and validate it, naming file, question and problem."""

import re
from pathlib import Path

import yaml

from . import conditions
from .qtypes import REGISTRY
from .schema import Choice
from .schema import Item
from .schema import Question
from .schema import SurveyDefinition

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
SURVEY_KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
QUESTION_ATTRIBUTES = {
    "key",
    "type",
    "text",
    "help",
    "required",
    "relevant",
    "choices",
    "items",
    "scale",
    "min",
    "max",
    "max_length",
    "max_choices",
    "constraint",
    "constraint_message",
}
SURVEY_ATTRIBUTES = {"key", "title", "intro", "thanks", "scales", "questions"}
BUILTIN_DIR = Path(__file__).with_name("surveys")


class DefinitionError(ValueError):
    """A definition is invalid; ``problems`` lists every ``file: where: what`` found."""

    def __init__(self, source, problems):
        self.source = source
        self.problems = list(problems)
        super().__init__("\n".join(f"{source}: {p}" for p in self.problems))


def builtin_path(key):
    """Path of a survey shipped with the package (e.g. ``nanyang-dcm``)."""
    return BUILTIN_DIR / f"{key}.yaml"


def load_file(path):
    """Parse and validate the YAML file at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(path.name, [f"cannot read the file ({exc})"]) from exc
    return load_text(text, path.name)


def load_text(text, source="<definition>"):
    """Parse and validate YAML ``text``; ``source`` names it in error messages."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DefinitionError(source, [f"not valid YAML: {exc}"]) from exc
    return validate(data, source)


def validate(data, source="<definition>"):
    """Check plain data and return a :class:`SurveyDefinition`, or raise :class:`DefinitionError`."""
    problems = []
    if not isinstance(data, dict):
        raise DefinitionError(
            source, ["the file must hold a mapping with key, title and questions"]
        )
    for extra in sorted(set(data) - SURVEY_ATTRIBUTES):
        problems.append(f"unknown top-level attribute {extra!r}")
    key = data.get("key")
    if not isinstance(key, str) or not SURVEY_KEY_PATTERN.match(key):
        problems.append("survey key must be lower-case letters, digits and hyphens")
    title = _text(data.get("title"), "title", problems, required=True)
    intro = _text(data.get("intro"), "intro", problems)
    thanks = _text(data.get("thanks"), "thanks", problems)
    scales = _scales(data.get("scales") or {}, problems)
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        problems.append("questions must be a non-empty list")
        raw_questions = []
    questions, seen = [], set()
    for index, raw in enumerate(raw_questions, start=1):
        question = _question(raw, index, scales, seen, problems)
        if question is not None:
            questions.append(question)
            seen.update(question.answer_keys)
            seen.add(question.key)
    if problems:
        raise DefinitionError(source, problems)
    return SurveyDefinition(
        key=key, title=title, questions=tuple(questions), intro=intro, thanks=thanks, scales=scales
    )


def _text(value, where, problems, required=False):
    if value is None and not required:
        return {}
    if isinstance(value, str):
        problems.append(f"{where}: give the text as {{zh: ..., en: ...}}")
        return {}
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("zh"), str)
        or not value["zh"].strip()
    ):
        problems.append(f"{where}: missing Chinese text (zh)")
        return {}
    for lang in value:
        if lang not in ("zh", "en"):
            problems.append(f"{where}: unknown language {lang!r} (use zh and en)")
    return {k: str(v) for k, v in value.items() if k in ("zh", "en")}


def _choices(raw, where, problems):
    if not isinstance(raw, list) or not raw:
        problems.append(f"{where}: choices must be a non-empty list")
        return ()
    choices, codes = [], set()
    for i, c in enumerate(raw, start=1):
        if not isinstance(c, dict):
            problems.append(f"{where}: choice {i} must be a mapping with code and label")
            continue
        code = c.get("code")
        if not isinstance(code, int) or isinstance(code, bool):
            problems.append(f"{where}: choice {i} needs an integer code")
            continue
        if code in codes:
            problems.append(f"{where}: choice code {code} is not unique")
        codes.add(code)
        extra = set(c) - {"code", "label", "substantive", "name"}
        if extra:
            problems.append(f"{where}: choice {code} has unknown attribute(s) {sorted(extra)}")
        label = _text(c.get("label"), f"{where}: choice {code} label", problems, required=True)
        name = c.get("name")
        if name is not None and (not isinstance(name, str) or not name.strip()):
            problems.append(f"{where}: choice {code} name must be a text")
            name = None
        choices.append(
            Choice(
                code=code,
                label=label,
                substantive=bool(c.get("substantive", True)),
                name=name,
            )
        )
    return tuple(choices)


def _scales(raw, problems):
    if not isinstance(raw, dict):
        problems.append("scales must map a scale name to its choices")
        return {}
    return {name: _choices(choices, f"scale {name}", problems) for name, choices in raw.items()}


def _question(raw, index, scales, seen, problems):
    if not isinstance(raw, dict):
        problems.append(f"question {index}: must be a mapping")
        return None
    key = raw.get("key")
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        problems.append(f"question {index}: key {key!r} must be snake_case (a-z, 0-9, _)")
        return None
    where = f"question {key}"
    before = len(problems)

    def problem(message):
        problems.append(f"{where}: {message}")

    if key in seen:
        problem("duplicate key")
    for extra in sorted(set(raw) - QUESTION_ATTRIBUTES):
        problem(f"unknown attribute {extra!r}")
    qtype = REGISTRY.get(raw.get("type"))
    if qtype is None:
        problem(f"unknown question type {raw.get('type')!r} (known: {', '.join(sorted(REGISTRY))})")
        return None
    text = _text(raw.get("text"), f"{where}: text", problems, required=True)
    help_text = _text(raw.get("help"), f"{where}: help", problems)
    choices, scale = (), raw.get("scale")
    if qtype.needs_scale and scale is not None:
        if scale not in scales:
            problem(f"scale {scale!r} is not defined under scales")
        else:
            choices = scales[scale]
        if "choices" in raw:
            problem("give either scale or choices, not both")
    elif qtype.needs_choices:
        choices = _choices(raw.get("choices"), where, problems)
    elif qtype.name == "rating":
        choices = tuple(Choice(code=i, label={"zh": str(i), "en": str(i)}) for i in range(11))
    items = ()
    if qtype.name == "likert_group":
        items = _items(raw.get("items"), where, seen, problems)
    elif "items" in raw:
        problem("only a likert_group has items")
    relevant = raw.get("relevant")
    if relevant is not None:
        try:
            unknown = conditions.parse(str(relevant)).keys - seen
        except conditions.ConditionError as exc:
            problem(f"condition: {exc}")
        else:
            for name in sorted(unknown):
                problem(f"condition names unknown or later question {name!r}")
    constraint = raw.get("constraint")
    if constraint is not None:
        try:
            unknown = conditions.parse(str(constraint)).keys - seen - {key}
        except conditions.ConditionError as exc:
            problem(f"constraint: {exc}")
        else:
            for name in sorted(unknown):
                problem(f"constraint names unknown or later question {name!r}")
    constraint_message = _text(
        raw.get("constraint_message"), f"{where}: constraint_message", problems
    )
    if constraint_message and constraint is None:
        problem("constraint_message without a constraint")
    numbers = {}
    for name in ("min", "max"):
        value = raw.get(name)
        if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool)):
            problem(f"{name} must be a number")
            value = None
        numbers[name] = value
    for name in ("max_length", "max_choices"):
        value = raw.get(name)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < 1
        ):
            problem(f"{name} must be a positive whole number")
    required = raw.get("required", False)
    if not isinstance(required, bool):
        problem("required must be true or false")
    question = Question(
        key=key,
        type=qtype.name,
        text=text,
        help=help_text,
        required=bool(required),
        relevant=str(relevant) if relevant is not None else None,
        choices=choices,
        items=items,
        scale=scale if qtype.needs_scale else None,
        min=numbers["min"],
        max=numbers["max"],
        max_length=raw.get("max_length"),
        max_choices=raw.get("max_choices"),
        weighting=qtype.name == "demographic",
        constraint=str(constraint) if constraint is not None else None,
        constraint_message=constraint_message,
    )
    qtype.check(question, problem)
    return question if len(problems) == before else None


def _items(raw, where, seen, problems):
    if not isinstance(raw, list) or not raw:
        problems.append(f"{where}: items must be a non-empty list")
        return ()
    items, keys = [], set()
    for i, item in enumerate(raw, start=1):
        key = item.get("key") if isinstance(item, dict) else None
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            problems.append(f"{where}: item {i} key {key!r} must be snake_case")
            continue
        if key in keys or key in seen:
            problems.append(f"{where}: item {key}: duplicate key")
        keys.add(key)
        label = _text(item.get("label"), f"{where}: item {key} label", problems, required=True)
        items.append(Item(key=key, label=label))
    return tuple(items)
