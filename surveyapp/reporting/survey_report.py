"""A survey's section of a report on its own (``flask survey report KEY``): works for any survey."""

from datetime import date

from . import blocks
from .output import write
from .survey_section import add_appendix
from .survey_section import add_methods
from .survey_section import add_results
from .survey_source import survey_facts


def compose(facts):
    """The survey report as a :class:`~.blocks.Document`."""
    doc = blocks.Document(title=f"{facts.title}调查结果报告")
    doc.add(
        blocks.Cover(
            f"{facts.title}\n调查结果报告",
            (f"有效问卷 {facts.n} 份",),
            date.today().strftime("%Y年%m月%d日"),
        )
    )
    doc.add(blocks.Contents())
    doc.heading("一、调查方法")
    add_methods(doc, facts)
    doc.heading("二、调查结果")
    add_results(doc, facts)
    doc.heading("附录")
    add_appendix(doc, facts)
    return doc


def write_survey_report(survey, fmt, path):
    """Write the survey report of ``survey`` as ``docx``, ``md`` or ``zip``; paths written."""
    return write(compose(survey_facts(survey)), fmt, path)
