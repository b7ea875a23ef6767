"""Any definition (random keys, types, codes, names, conditions, report labels, population,
time zone, repeat answers, analysis block) survives YAML and XLSForm:
``read_xlsform(to_xlsform(d)) == d`` and ``load_text(to_yaml(d)) == d``."""

import string

from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from surveyapp.definitions import load_text
from surveyapp.definitions.loader import validate
from surveyapp.definitions.source import to_yaml
from surveyapp.definitions.xlsform_in import read_xlsform
from surveyapp.definitions.xlsform_out import to_xlsform

KEYS = st.from_regex(r"\A[a-z][a-z0-9_]{0,12}\Z")
WORDS = (
    st.text(alphabet=string.ascii_letters + "中文问卷满意度“”（）？ ", min_size=1, max_size=20)
    .map(str.strip)
    .filter(bool)
)
TYPES = ("single", "demographic", "multiple", "likert", "likert_group", "rating", "number")
TYPES += ("text", "long_text", "note")
TIMEZONES = ("Asia/Shanghai", "Asia/Urumqi", "UTC", "America/Los_Angeles")


@st.composite
def texts(draw, english=None):
    data = {"zh": draw(WORDS)}
    if english if english is not None else draw(st.booleans()):
        data["en"] = draw(WORDS)
    return data


@st.composite
def choice_list(draw):
    """Integer codes in any order, or names with codes 1..n (as an XLSForm gives them)."""
    n = draw(st.integers(1, 5))
    named = draw(st.booleans())
    if named:
        names = draw(st.lists(KEYS, min_size=n, max_size=n, unique=True))
        codes = list(range(1, n + 1))
    else:
        codes = draw(st.lists(st.integers(0, 99), min_size=n, max_size=n, unique=True))
        names = [None] * n
    choices = []
    for code, name in zip(codes, names, strict=True):
        choice = {"code": code, "label": draw(texts())}
        if draw(st.booleans()) and n > 1:
            choice["substantive"] = False
        if name is not None:
            choice["name"] = name
        choices.append(choice)
    return choices


def condition_over(draw, earlier):
    """A condition over earlier choice questions, as authors write them."""
    key, codes, multiple = draw(st.sampled_from(earlier))
    code = draw(st.sampled_from(codes))
    options = [f"{key} == {code}", f"not {key} == {code}", f"answered({key})"]
    if multiple:
        options += [f"{key} has {code}", f"count({key}) >= 1"]
    if len(codes) > 1:
        pair = ", ".join(str(c) for c in codes[:2])
        options += [f"{key} in [{pair}]", f"{key} not in [{pair}]"]
        options += [f"{key} == {codes[0]} or {key} == {codes[1]}"]
    first = draw(st.sampled_from(options))
    if draw(st.booleans()):
        return f"{first} and {draw(st.sampled_from(options))}"
    return first


def analysis_over(draw, asked):
    """A valid ``analysis:`` block over the questions ``asked`` ((key, type, codes, items))."""
    weightable = [k for k, t, _, _ in asked if t in ("single", "demographic")]
    categorical = [k for k, t, _, _ in asked if t in ("single", "demographic", "likert")]
    likert = [k for k, t, _, _ in asked if t == "likert"]
    likert += [i for _, t, _, items in asked if t == "likert_group" for i in items]
    coded = [(k, c) for k, t, c, _ in asked if t in ("single", "demographic", "likert")]
    block = {}
    for name, keys in (("weighting", weightable), ("domains", categorical)):
        if keys and draw(st.booleans()):
            block[name] = draw(st.lists(st.sampled_from(keys), min_size=1, unique=True))
    if likert and draw(st.booleans()):
        items = draw(st.lists(st.sampled_from(likert), min_size=1, unique=True))
        if draw(st.booleans()):
            items = {k: draw(st.integers(1, 5) | st.floats(0.5, 3)) for k in items}
        block["index"] = {"key": "index", "label": draw(texts()), "items": items}
        block["overall"] = draw(st.sampled_from(likert))
    if coded and draw(st.booleans()):
        key, codes = draw(st.sampled_from(coded))
        picked = draw(st.lists(st.sampled_from(codes), min_size=1, unique=True))
        block["headlines"] = [
            {"id": "h1", "question": key, "codes": picked, "label": draw(texts())}
        ]
    return block


@st.composite
def definitions(draw):
    keys = draw(st.lists(KEYS, min_size=30, max_size=30, unique=True))
    scales = {}
    if draw(st.booleans()):
        scales[keys.pop()] = draw(choice_list())
    questions, earlier, taken, asked = [], [], set(), []
    for _ in range(draw(st.integers(1, 6))):
        qtype = draw(st.sampled_from(TYPES))
        if qtype in ("likert", "likert_group") and not scales:
            qtype = "single"
        key = keys.pop()
        question = {"key": key, "type": qtype, "text": draw(texts())}
        if qtype != "note" and draw(st.booleans()):
            question["required"] = True
        if draw(st.booleans()):
            question["help"] = draw(texts())
        if qtype != "note" and draw(st.booleans()):
            question["report_label"] = draw(texts())
        if earlier and draw(st.booleans()):
            question["relevant"] = condition_over(draw, earlier)
        codes = None
        if qtype in ("single", "demographic", "multiple"):
            question["choices"] = draw(choice_list())
            codes = [c["code"] for c in question["choices"]]
        elif qtype in ("likert", "likert_group"):
            question["scale"] = next(iter(scales))
            codes = [c["code"] for c in scales[question["scale"]]]
        if qtype == "likert_group":
            question["items"] = [
                {"key": keys.pop(), "label": draw(texts())} for _ in range(draw(st.integers(1, 3)))
            ]
        if qtype == "multiple" and draw(st.booleans()):
            question["max_choices"] = draw(st.integers(1, len(codes)))
        if qtype == "number":
            low = draw(st.integers(-5, 50))
            if draw(st.booleans()):
                question["min"] = low
                question["max"] = low + draw(st.integers(0, 100))
            else:  # a constraint with the author's message, KoBoToolbox style
                question["constraint"] = f"{key} != {low}"
                question["constraint_message"] = draw(texts())
        if qtype in ("text", "long_text") and draw(st.booleans()):
            question["max_length"] = draw(st.integers(1, 500))
        questions.append(question)
        asked.append((key, qtype, codes, [i["key"] for i in question.get("items", ())]))
        if codes and qtype != "likert_group":
            earlier.append((key, codes, qtype == "multiple"))
        taken.add(key)
    data = {"key": "random-form", "title": draw(texts(english=True)), "questions": questions}
    if scales:
        data["scales"] = scales
    if draw(st.booleans()):
        data["intro"] = draw(texts())
    if draw(st.booleans()):
        data["population"] = draw(texts())
    if draw(st.booleans()):
        data["timezone"] = draw(st.sampled_from(TIMEZONES))
    if draw(st.booleans()):
        data["allow_multiple"] = draw(st.booleans())
    analysis = analysis_over(draw, asked)
    if analysis:
        data["analysis"] = analysis
    return validate(data, "random.yaml")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(definitions())
def test_random_definitions_round_trip_through_xlsform_and_yaml(definition):
    assert read_xlsform(to_xlsform(definition), "random.xlsx") == definition
    assert load_text(to_yaml(definition)) == definition
