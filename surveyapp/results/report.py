"""Downloadable survey reports: the survey's section in government format.

The document is composed by :mod:`surveyapp.reporting.survey_report` (DOCX via python-docx in
the GB/T 9704 layout; Markdown with its figures as PNG files beside it, downloaded as a ZIP).
"""

import tempfile
from pathlib import Path

MIMETYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "application/zip",
}


def render(survey, fmt):
    """``(bytes, mimetype, file name)`` of the survey report as DOCX, or Markdown in a ZIP."""
    # reporting reads results through this package, so it is imported when a report is made.
    from ..reporting.survey_report import write_survey_report

    with tempfile.TemporaryDirectory() as tmp:
        name = f"{survey.key}-report.docx" if fmt == "docx" else f"{survey.key}-report.zip"
        path = Path(tmp) / name
        write_survey_report(survey, "docx" if fmt == "docx" else "zip", path)
        return path.read_bytes(), MIMETYPES[fmt], name
