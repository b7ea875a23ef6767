"""Every user-facing message has its Chinese translation, and each compiled catalogue (.mo) is
the compilation of its .po: a message added in code or a template without a translation, or a
.po edited without recompiling, fails here."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "surveyapp"
# Each catalogue: the folders its messages are extracted from (as its babel.cfg says).
CATALOGUES = {
    "public": ("public", "definitions/qtypes.py"),
    "console": (
        "console",
        "auth",
        "definitions/loader.py",
        "definitions/xlsform_in.py",
        "definitions/xlsform_sheets.py",
        "definitions/conditions.py",
        "definitions/plan.py",
        "yamlsafe.py",
    ),
    "dataops": ("dataops",),
    "results": ("results",),
}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
KEYWORDS |= {"N_": None}
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]


def extracted(name):
    """The msgids of the catalogue's sources."""
    found = set()
    for source in CATALOGUES[name]:
        path = PACKAGE / source
        if path.is_file():
            with path.open("rb") as fh:
                from babel.messages.extract import extract_python

                messages = [m[2] for m in extract_python(fh, KEYWORDS.keys(), [], {})]
        else:
            messages = [m[2] for m in extract_from_dir(path, METHODS, keywords=KEYWORDS)]
        for message in messages:
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def catalogue(name):
    path = PACKAGE / name / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        return read_po(fh)


@pytest.mark.parametrize("name", sorted(CATALOGUES))
def test_every_message_is_translated(name):
    po = catalogue(name)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in po if m.id and m.string}
    missing = sorted(extracted(name) - translated)
    assert missing == [], f"{name}: {len(missing)} without a Chinese translation"


@pytest.mark.parametrize("name", sorted(CATALOGUES))
def test_compiled_catalogue_matches_its_source(name):
    po = catalogue(name)
    with (PACKAGE / name / "translations" / "zh" / "LC_MESSAGES" / "messages.mo").open("rb") as fh:
        mo = read_mo(fh)
    wanted = {_key(m.id): _key(m.string) for m in po if m.id and m.string and not m.fuzzy}
    compiled = {_key(m.id): _key(m.string) for m in mo if m.id}
    assert compiled == wanted


def _key(text):
    """A message id or translation; plural forms as a tuple (a .mo gives them as a list)."""
    return text if isinstance(text, str) else tuple(text)
