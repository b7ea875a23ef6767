"""Export services: responses and estimates of a survey in every format, always audited."""

import json

from .. import audit
from ..definitions.store import definition_of
from ..results import settings as settings_service
from ..results.compute import response_weights
from . import writers
from .columns import Column
from .columns import columns_for
from .rows import iter_rows

ESTIMATE_COLUMNS = tuple(
    Column(name, name, kind)
    for name, kind in (
        ("question", "text"),
        ("category", "text"),
        ("domain", "text"),
        ("kind", "text"),
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


def response_export(survey, labels=False, lang="zh", include_test=False):
    """(columns, row iterator) of the responses export under the current analysis settings.

    Staff test answers (status ``test``) are left out unless ``include_test``."""
    _, settings = settings_service.current(survey)
    columns = columns_for(definition_of(survey.latest_version), lang)
    weights = response_weights(survey, settings)
    return columns, iter_rows(survey, columns, weights, labels=labels, include_test=include_test)


def estimate_rows(results):
    """Rows of the estimates table (domain flattened to ``district=2``)."""
    for r in results["estimates"]:
        domain = "" if not r["domain"] else "{}={}".format(*next(iter(r["domain"].items())))
        yield [
            r["question"],
            r["category"] or "",
            domain,
            r["kind"],
            r["estimate"],
            r["se"],
            r["ci"][0],
            r["ci"][1],
            r["method"],
            r["level"],
            r["n"],
            r["n_eff"],
            r["deff"],
        ]


def record_export(survey, what, fmt, labels=False, user=None, rows=None):
    """Audit one export (``export``), before any data leaves."""
    audit.record(
        "export",
        survey_id=survey.id,
        user=user,
        what=what,
        format=fmt,
        labels=bool(labels),
        **({"rows": rows} if rows is not None else {}),
    )


def export_responses_to(survey, fmt, path, labels=False, user=None, include_test=False):
    """Write the responses export to ``path`` (CLI); returns the number of rows."""
    columns, rows = response_export(survey, labels, include_test=include_test)
    counted = _counting(rows)
    record_export(survey, "responses", fmt, labels, user)
    writers.write(fmt, columns, counted, path)
    return counted.count


def export_estimates_to(results, fmt, path):
    """Write the estimates table to ``path`` (csv, xlsx or json)."""
    if fmt == "json":
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(results["estimates"], fh, ensure_ascii=False, indent=1)
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
