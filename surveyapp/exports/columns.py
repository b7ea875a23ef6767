"""The columns of a responses export, derived from the survey definition (the codebook)."""

from ..definitions.qtypes import Column
from ..definitions.qtypes import question_type

__all__ = ["Column", "FIXED", "columns_for"]


FIXED = (
    Column("response_id", "Response id / 问卷编号", "id"),
    Column("status", "Status / 状态 (valid, excluded)", "text"),
    Column("status_reason", "Reason for exclusion / 剔除原因", "text"),
    Column("version", "Questionnaire version / 问卷版本", "id"),
    Column("channel", "Channel / 渠道", "text"),
    Column("language", "Language / 语言", "text"),
    Column("submitted_at", "Submitted at / 提交时间", "datetime"),
    Column("duration_seconds", "Time taken in seconds / 作答用时（秒）", "number"),
    Column("weight", "Analysis weight under the current settings / 分析权重", "weight"),
)


def columns_for(definition, lang="zh"):
    """Every column of the export, in questionnaire order after the fixed ones."""
    cols = list(FIXED)
    for q in definition.questions:
        cols.extend(question_type(q.type).export_columns(q, lang))
    return cols
