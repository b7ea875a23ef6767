"""Arranging the computed results into titled tables with labels and sentences (page and reports)."""

from .citations import domain_label
from .citations import label_of
from .citations import pct
from .citations import pts
from .citations import sentence

HEADLINE = (
    ("awareness", "share", "1-3"),
    ("sat_overall", "rate", "4-5"),
    ("index", "index", None),
    ("env_improved", "improved", "4-5"),
)
TITLES = {
    "awareness": {"zh": "公众知晓度", "en": "Public awareness"},
    "satisfaction": {"zh": "满意度", "en": "Satisfaction"},
    "environment": {"zh": "城市环境改善", "en": "Improvement of the city environment"},
    "district": {"zh": "分区比较", "en": "By district"},
    "channel": {"zh": "分渠道比较", "en": "By channel"},
}
KIND_NAMES = {
    "share": {"zh": "比例", "en": "share"},
    "rate": {"zh": "满意率", "en": "satisfaction rate"},
    "score": {"zh": "平均得分", "en": "mean score"},
    "index": {"zh": "综合指数", "en": "index"},
    "improved": {"zh": "认为改善的比例", "en": "share improved"},
}


def figure_key(row):
    """A stable identifier of an estimate (used by the page, the tests and the copy buttons)."""
    domain = "" if not row["domain"] else "{}={}".format(*next(iter(row["domain"].items())))
    return f"{row['question']}|{row['category'] or ''}|{domain}|{row['kind']}"


def display(row, definition, weighted, lang):
    """An estimate row with formatted values, labels and the two sentences."""
    share = row["kind"] in ("share", "rate", "improved")
    fmt = pct if share else pts
    label = label_of(definition, row["question"], row["category"], lang)
    if row["kind"] == "share" and row["category"] == "1-3":
        label = {"zh": "知晓（非常了解+比较了解+仅听说过）", "en": "Aware (any level)"}[lang]
    return {
        **row,
        "key": figure_key(row),
        "label": label,
        "what": KIND_NAMES[row["kind"]][lang],
        "domain_label": domain_label(definition, row["domain"], lang),
        "value": fmt(row["estimate"]),
        "ci_text": f"{fmt(row['ci'][0])} – {fmt(row['ci'][1])}",
        "n_eff_text": "–" if row["n_eff"] is None else f"{row['n_eff']:.0f}",
        "deff_text": "–" if row["deff"] is None else f"{row['deff']:.2f}",
        "sentence_zh": sentence(row, definition, weighted, "zh"),
        "sentence_en": sentence(row, definition, weighted, "en"),
    }


def sections(results, definition, lang):
    """The results page's tables, in order: ``[{"id", "title", "rows": [...]}]``."""
    weighted = results["weighting"]["method"] != "none"
    whole = [r for r in results["estimates"] if r["domain"] is None]
    out = [
        ("awareness", [r for r in whole if r["question"] == "awareness"]),
        (
            "satisfaction",
            [
                r
                for r in whole
                if r["kind"] in ("rate", "score", "index") and r["question"] != "env_improved"
            ],
        ),
        ("environment", [r for r in whole if r["question"] == "env_improved"]),
    ]
    for var in ("district", "channel"):
        rows = [
            r
            for r in results["estimates"]
            if r["domain"]
            and var in r["domain"]
            and (r["question"], r["kind"], r["category"]) in HEADLINE
        ]
        rows.sort(
            key=lambda r: (
                HEADLINE.index((r["question"], r["kind"], r["category"])),
                r["domain"][var],
            )
        )
        out.append((var, rows))
    return [
        {
            "id": sid,
            "title": TITLES[sid][lang],
            "rows": [display(r, definition, weighted, lang) for r in rows],
        }
        for sid, rows in out
        if rows
    ]
