"""The columns of a responses export, derived from the survey definition (the codebook)."""

from dataclasses import dataclass
from dataclasses import field

from ..definitions.schema import CHOICE_TYPES
from ..i18n import text_in


@dataclass(frozen=True)
class Column:
    """One export column: its name, label, storage kind and value labels."""

    name: str
    label: str
    kind: str  # "id", "text", "code", "flag", "number", "datetime", "weight"
    source: str | None = None  # answer key (for flags: the multiple-choice question key)
    code: int | None = None  # for flags: the choice code
    value_labels: dict = field(default_factory=dict)


FIXED = (
    Column("response_id", "Response id / 问卷编号", "id"),
    Column("status", "Status / 状态 (valid, excluded)", "text"),
    Column("status_reason", "Reason for exclusion / 剔除原因", "text"),
    Column("version", "Questionnaire version / 问卷版本", "id"),
    Column("channel", "Channel / 渠道", "text"),
    Column("language", "Language / 语言", "text"),
    Column("submitted_at", "Submitted at (UTC) / 提交时间", "datetime"),
    Column("duration_seconds", "Time taken in seconds / 作答用时（秒）", "number"),
    Column("weight", "Analysis weight under the current settings / 分析权重", "weight"),
)


def _choices_of(question, definition):
    if question.choices:
        return question.choices
    if question.scale:
        return definition.scales.get(question.scale, ())
    if question.type == "rating":
        return ()
    return ()


def columns_for(definition, lang="zh"):
    """Every column of the export, in questionnaire order after the fixed ones."""
    cols = list(FIXED)
    for q in definition.questions:
        if not q.answer_keys:  # a note asks nothing
            continue
        text = text_in(q.text, lang)
        if q.type in CHOICE_TYPES or q.type == "likert_group":
            labels = {c.code: text_in(c.label, lang) for c in _choices_of(q, definition)}
            if q.type == "likert_group":
                for item in q.items:
                    cols.append(
                        Column(
                            item.key,
                            f"{text} {text_in(item.label, lang)}",
                            "code",
                            item.key,
                            value_labels=labels,
                        )
                    )
            else:
                cols.append(Column(q.key, text, "code", q.key, value_labels=labels))
        elif q.type == "multiple":
            for c in q.choices:
                cols.append(
                    Column(
                        f"{q.key}_{c.code}",
                        f"{text} {text_in(c.label, lang)}",
                        "flag",
                        q.key,
                        c.code,
                        value_labels={0: "未选 / not ticked", 1: "选中 / ticked"},
                    )
                )
        elif q.type == "number":
            cols.append(Column(q.key, text, "number", q.key))
        else:
            cols.append(Column(q.key, text, "text", q.key))
    return cols
