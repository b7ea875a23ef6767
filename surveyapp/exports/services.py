"""Export services: responses and estimates of a survey in every format, always audited."""

import json
from dataclasses import replace

from .. import audit
from ..definitions.store import definition_of
from ..results import settings as settings_service
from ..results.compute import response_weights
from . import writers
from .columns import Column
from .columns import columns_for
from .rows import iter_rows
from .timestamps import export_zone
from .timestamps import zoned_label

ESTIMATE_COLUMNS = tuple(
    Column(name, name, kind)
    for name, kind in (
        ("question", "text"),
        ("statistic", "text"),
        ("codes", "text"),
        ("domain", "text"),
        ("estimate", "number"),
        ("se", "number"),
        ("ci_low", "number"),
        ("ci_high", "number"),
        ("method", "text"),
        ("level", "number"),
        ("n", "number"),
        ("n_eff", "number"),
        ("deff", "number"),
    )
)


def response_export(survey, labels=False, lang="zh", fmt=None, include_test=False):
    """(columns, row iterator) of the responses export under the current analysis settings.

    ``labels`` writes choice labels into the cells, except in SPSS and Stata files: those keep
    the codes and carry the labels as value labels (numeric columns cannot hold text). Without
    ``labels``, text formats (CSV, XLSX, JSON) write a choice's name (an XLSForm's ``yes``) in
    place of its code where it has one; SPSS and Stata keep the numeric code. Staff test
    answers (status ``test``) are left out unless ``include_test``.
    """
    _, settings = settings_service.current(survey)
    zone = export_zone()
    columns = [
        replace(c, label=zoned_label(c.label, zone)) if c.kind == "datetime" else c
        for c in columns_for(definition_of(survey.latest_version), lang)
    ]
    weights = response_weights(survey, settings)
    in_cells = fmt not in writers.VALUE_LABEL_FORMATS
    return columns, iter_rows(
        survey,
        columns,
        weights,
        labels=labels and in_cells,
        names=in_cells,
        zone=zone,
        include_test=include_test,
    )


def estimate_rows(results):
    """Rows of the estimates table (codes as ``1,2,3``, domain flattened to ``area=2``)."""
    for f in results.figures:
        domain = "" if f.domain is None else f"{f.domain.variable}={f.domain.value}"
        yield [
            f.question,
            f.statistic,
            ",".join(map(str, f.codes)),
            domain,
            f.estimate,
            f.se,
            f.ci_low,
            f.ci_high,
            f.method,
            f.level,
            f.n,
            f.n_eff,
            f.deff,
        ]


def record_export(survey, what, fmt, labels=False, user=None, rows=None, include_test=None):
    """Audit one export (``export``), before any data leaves.

    Responses exports also record whether staff test answers were included."""
    audit.record(
        "export",
        survey_id=survey.id,
        user=user,
        what=what,
        format=fmt,
        labels=bool(labels),
        **({"rows": rows} if rows is not None else {}),
        **({"include_test": bool(include_test)} if include_test is not None else {}),
    )


def export_responses_to(survey, fmt, path, labels=False, user=None, include_test=False):
    """Write the responses export to ``path`` (CLI); returns the number of rows."""
    columns, rows = response_export(survey, labels, fmt=fmt, include_test=include_test)
    counted = _counting(rows)
    record_export(survey, "responses", fmt, labels, user, include_test=include_test)
    writers.write(fmt, columns, counted, path)
    return counted.count


def export_estimates_to(results, fmt, path):
    """Write the estimates table to ``path`` (csv, xlsx or json)."""
    if fmt == "json":
        with open(path, "w", encoding="utf-8") as fh:
            json.dump([f.to_dict() for f in results.figures], fh, ensure_ascii=False, indent=1)
        return
    writers.write(fmt, list(ESTIMATE_COLUMNS), estimate_rows(results), path)


class _counting:
    """An iterator wrapper that counts what passed through."""

    def __init__(self, rows):
        self.rows = iter(rows)
        self.count = 0

    def __iter__(self):
        return self

    def __next__(self):
        row = next(self.rows)
        self.count += 1
        return row
