"""Read a survey definition from YAML and validate it, naming file, question and problem."""

import re
from pathlib import Path
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

from flask_babel import gettext as _

from .. import yamlsafe
from . import conditions
from .plan import check_analysis
from .qtypes import REGISTRY
from .schema import DEFAULT_TIMEZONE
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
    "report_label",
    "constraint",
    "constraint_message",
}
SURVEY_ATTRIBUTES = {
    "key",
    "title",
    "intro",
    "thanks",
    "scales",
    "questions",
    "population",
    "analysis",
    "timezone",
    "allow_multiple",
}
BUILTIN_DIR = Path(__file__).with_name("surveys")


class Problem(str):
    """A problem message that knows where it is: ``path``, the mapping keys and list indexes
    from the top of the definition (``("questions", 2, "type")``) to the node it concerns.

    It is a ``str``, so every caller that lists, joins or prints problems is unchanged;
    :func:`load_text` turns the path into the line and column of the YAML text.
    """

    path = None

    def __new__(cls, message, path=()):
        problem = super().__new__(cls, message)
        problem.path = tuple(path)
        return problem


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
    """Parse and validate YAML ``text``; ``source`` names it in error messages.

    Each validation problem starts with the line and column of the node it concerns, read from
    the marks of the composed YAML document ("line 14, column 5: question q3: ...").
    """
    try:
        data, root = yamlsafe.safe_load_with_nodes(text)
    except yamlsafe.YamlRefused as exc:
        raise DefinitionError(source, [str(exc)]) from exc
    try:
        return validate(data, source)
    except DefinitionError as exc:
        raise DefinitionError(source, [_located(p, root) for p in exc.problems]) from None


def _located(problem, root):
    """``problem`` prefixed with the line and column of its node (as it is without a path)."""
    path = getattr(problem, "path", None)
    if path is None or root is None:
        return problem
    line, column = yamlsafe.position(root, path)
    return Problem(
        _(
            "line %(line)d, column %(column)d: %(problem)s",
            line=line,
            column=column,
            problem=problem,
        ),
        path,
    )


def validate(data, source="<definition>"):
    """Check plain data and return a :class:`SurveyDefinition`, or raise :class:`DefinitionError`."""
    problems = []
    if not isinstance(data, dict):
        raise DefinitionError(
            source, [Problem(_("the file must hold a mapping with key, title and questions"))]
        )
    for extra in sorted(set(data) - SURVEY_ATTRIBUTES):
        problems.append(Problem(_("unknown top-level attribute %(name)r", name=extra), (extra,)))
    key = data.get("key")
    if not isinstance(key, str) or not SURVEY_KEY_PATTERN.match(key):
        problems.append(
            Problem(_("survey key must be lower-case letters, digits and hyphens"), ("key",))
        )
    title = _text(data.get("title"), "title", problems, required=True, path=("title",))
    intro = _text(data.get("intro"), "intro", problems, path=("intro",))
    thanks = _text(data.get("thanks"), "thanks", problems, path=("thanks",))
    population = _text(data.get("population"), "population", problems, path=("population",))
    timezone = data.get("timezone", DEFAULT_TIMEZONE)
    try:
        ZoneInfo(str(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(
            Problem(
                _("timezone %(name)r is not an IANA time zone (e.g. Asia/Shanghai)", name=timezone),
                ("timezone",),
            )
        )
    scales = _scales(data.get("scales") or {}, problems)
    allow_multiple = data.get("allow_multiple", False)
    if not isinstance(allow_multiple, bool):
        problems.append(Problem(_("allow_multiple must be true or false"), ("allow_multiple",)))
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        problems.append(Problem(_("questions must be a non-empty list"), ("questions",)))
        raw_questions = []
    questions, seen = [], set()
    for index, raw in enumerate(raw_questions, start=1):
        question = _question(raw, index, scales, seen, problems)
        if question is not None:
            questions.append(question)
            seen.update(question.answer_keys)
            seen.add(question.key)
    analysis = {}
    if not problems:
        analysis = check_analysis(data.get("analysis"), questions, problems)
        # The analysis block's problems are located at the block.
        problems[:] = [Problem(p, ("analysis",)) for p in problems]
    if problems:
        raise DefinitionError(source, problems)
    return SurveyDefinition(
        key=key,
        title=title,
        questions=tuple(questions),
        intro=intro,
        thanks=thanks,
        scales=scales,
        allow_multiple=allow_multiple,
        population=population,
        analysis=analysis,
        timezone=str(timezone),
    )


def _text(value, where, problems, required=False, path=()):
    if value is None and not required:
        return {}
    if isinstance(value, str):
        problems.append(
            Problem(_("%(where)s: give the text as {zh: ..., en: ...}", where=where), path)
        )
        return {}
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("zh"), str)
        or not value["zh"].strip()
    ):
        problems.append(Problem(_("%(where)s: missing Chinese text (zh)", where=where), path))
        return {}
    for lang in value:
        if lang not in ("zh", "en"):
            problems.append(
                Problem(
                    _(
                        "%(where)s: unknown language %(lang)r (use zh and en)",
                        where=where,
                        lang=lang,
                    ),
                    (*path, lang),
                )
            )
    return {k: str(v) for k, v in value.items() if k in ("zh", "en")}


def _choices(raw, where, problems, path):
    if not isinstance(raw, list) or not raw:
        problems.append(
            Problem(_("%(where)s: choices must be a non-empty list", where=where), path)
        )
        return ()
    choices, codes = [], set()
    for i, c in enumerate(raw, start=1):
        at = (*path, i - 1)
        if not isinstance(c, dict):
            problems.append(
                Problem(
                    _(
                        "%(where)s: choice %(i)d must be a mapping with code and label",
                        where=where,
                        i=i,
                    ),
                    at,
                )
            )
            continue
        code = c.get("code")
        if not isinstance(code, int) or isinstance(code, bool):
            problems.append(
                Problem(
                    _("%(where)s: choice %(i)d needs an integer code", where=where, i=i),
                    (*at, "code"),
                )
            )
            continue
        if code in codes:
            problems.append(
                Problem(
                    _("%(where)s: choice code %(code)d is not unique", where=where, code=code),
                    (*at, "code"),
                )
            )
        codes.add(code)
        extra = set(c) - {"code", "label", "substantive", "name"}
        if extra:
            problems.append(
                Problem(
                    _(
                        "%(where)s: choice %(code)d has unknown attribute(s) %(names)s",
                        where=where,
                        code=code,
                        names=sorted(extra),
                    ),
                    (*at, min(extra, key=str)),
                )
            )
        label = _text(
            c.get("label"),
            _("%(where)s: choice %(code)d label", where=where, code=code),
            problems,
            True,
            path=(*at, "label"),
        )
        name = c.get("name")
        if name is not None and (not isinstance(name, str) or not name.strip()):
            problems.append(
                Problem(
                    _("%(where)s: choice %(code)d name must be a text", where=where, code=code),
                    (*at, "name"),
                )
            )
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
        problems.append(Problem(_("scales must map a scale name to its choices"), ("scales",)))
        return {}
    return {
        name: _choices(choices, _("scale %(name)s", name=name), problems, ("scales", name))
        for name, choices in raw.items()
    }


def _question(raw, index, scales, seen, problems):
    at = ("questions", index - 1)
    if not isinstance(raw, dict):
        problems.append(Problem(_("question %(n)d: must be a mapping", n=index), at))
        return None
    key = raw.get("key")
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        problems.append(
            Problem(
                _("question %(n)d: key %(key)r must be snake_case (a-z, 0-9, _)", n=index, key=key),
                (*at, "key"),
            )
        )
        return None
    where = _("question %(key)s", key=key)
    before = len(problems)

    def problem(message, attribute=None):
        """A problem of this question, located at ``attribute`` (else the question)."""
        path = at if attribute is None else (*at, attribute)
        problems.append(Problem(_("%(where)s: %(problem)s", where=where, problem=message), path))

    if key in seen:
        problem(_("duplicate key"), "key")
    for extra in sorted(set(raw) - QUESTION_ATTRIBUTES):
        problem(_("unknown attribute %(name)r", name=extra), extra)
    raw_type = raw.get("type")
    qtype = REGISTRY.get(raw_type) if isinstance(raw_type, str) else None
    if qtype is None:
        problem(
            _(
                "unknown question type %(type)r (known: %(known)s)",
                type=raw.get("type"),
                known=", ".join(sorted(REGISTRY)),
            ),
            "type",
        )
        return None

    def text_of(name, label, required=False):
        return _text(raw.get(name), label, problems, required, path=(*at, name))

    text = text_of("text", _("%(where)s: text", where=where), required=True)
    help_text = text_of("help", _("%(where)s: help", where=where))
    report_label = text_of("report_label", _("%(where)s: report_label", where=where))
    choices, scale = (), raw.get("scale")
    if qtype.needs_scale and scale is not None:
        if not isinstance(scale, str) or scale not in scales:
            problem(_("scale %(name)r is not defined under scales", name=scale), "scale")
        else:
            choices = scales[scale]
        if "choices" in raw:
            problem(_("give either scale or choices, not both"), "choices")
    elif qtype.needs_choices:
        choices = _choices(raw.get("choices"), where, problems, (*at, "choices"))
    else:
        choices = qtype.generated_choices()
    items = ()
    if qtype.has_items:
        items = _items(raw.get("items"), where, seen, problems, (*at, "items"))
    elif "items" in raw:
        problem(_("only a likert_group has items"), "items")
    relevant = raw.get("relevant")
    if relevant is not None:
        try:
            unknown = conditions.parse(str(relevant)).keys - seen
        except conditions.ConditionError as exc:
            problem(_("condition: %(error)s", error=exc), "relevant")
        else:
            for name in sorted(unknown):
                problem(
                    _("condition names unknown or later question %(name)r", name=name), "relevant"
                )
    constraint = raw.get("constraint")
    if constraint is not None:
        try:
            unknown = conditions.parse(str(constraint)).keys - seen - {key}
        except conditions.ConditionError as exc:
            problem(_("constraint: %(error)s", error=exc), "constraint")
        else:
            for name in sorted(unknown):
                problem(
                    _("constraint names unknown or later question %(name)r", name=name),
                    "constraint",
                )
    constraint_message = text_of(
        "constraint_message", _("%(where)s: constraint_message", where=where)
    )
    if constraint_message and constraint is None:
        problem(_("constraint_message without a constraint"), "constraint_message")
    numbers = {}
    for name in ("min", "max"):
        value = raw.get(name)
        if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool)):
            problem(_("%(name)s must be a number", name=name), name)
            value = None
        numbers[name] = value
    for name in ("max_length", "max_choices"):
        value = raw.get(name)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < 1
        ):
            problem(_("%(name)s must be a positive whole number", name=name), name)
    required = raw.get("required", False)
    if not isinstance(required, bool):
        problem(_("required must be true or false"), "required")
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
        weighting=qtype.demographic,
        report_label=report_label,
        constraint=str(constraint) if constraint is not None else None,
        constraint_message=constraint_message,
    )
    qtype.check(question, problem)
    return question if len(problems) == before else None


def _items(raw, where, seen, problems, path):
    if not isinstance(raw, list) or not raw:
        problems.append(Problem(_("%(where)s: items must be a non-empty list", where=where), path))
        return ()
    items, keys = [], set()
    for i, item in enumerate(raw, start=1):
        at = (*path, i - 1)
        key = item.get("key") if isinstance(item, dict) else None
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            problems.append(
                Problem(
                    _(
                        "%(where)s: item %(i)d key %(key)r must be snake_case",
                        where=where,
                        i=i,
                        key=key,
                    ),
                    (*at, "key"),
                )
            )
            continue
        if key in keys or key in seen:
            problems.append(
                Problem(
                    _("%(where)s: item %(key)s: duplicate key", where=where, key=key),
                    (*at, "key"),
                )
            )
        keys.add(key)
        label = _text(
            item.get("label"),
            f"{where}: item {key} label",
            problems,
            required=True,
            path=(*at, "label"),
        )
        items.append(Item(key=key, label=label))
    return tuple(items)
