"""The evaluation report as a reader sees it: rendered to PDF by LibreOffice, checked with poppler.

Skipped (with the reason) where LibreOffice or poppler-utils is not installed. The document's
fonts (仿宋_GB2312, 黑体) are Windows fonts; tests/reporting/fonts.conf maps them onto Noto Serif/Sans CJK so the
PDF shows body and headings in distinct CJK faces, as they would be in Word.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.evaluation.conftest import KEY

FONTS_CONF = Path(__file__).resolve().parent.parent / "reporting" / "fonts.conf"
TOOLS = ("libreoffice", "pdfinfo", "pdffonts", "pdftotext")
missing = [t for t in TOOLS if shutil.which(t) is None]
pytestmark = pytest.mark.skipif(
    bool(missing),
    reason=f"needs {', '.join(missing)} (Debian: libreoffice-writer-nogui, poppler-utils)",
)
MM = 72 / 25.4


def _run(*args, **kwargs):
    return subprocess.run(
        args, check=True, capture_output=True, text=True, timeout=240, **kwargs
    ).stdout


@pytest.fixture
def pdf(with_responses, runner, tmp_path):
    docx = tmp_path / "report.docx"
    result = runner.invoke(args=["evaluation", "report", KEY, "--format", "docx", "-o", str(docx)])
    assert result.exit_code == 0, result.output
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "FONTCONFIG_FILE": str(FONTS_CONF),
    }
    _run(
        "libreoffice",
        f"-env:UserInstallation=file://{tmp_path}/lo-profile",
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        str(tmp_path),
        str(docx),
        env=env,
    )
    return tmp_path / "report.pdf"


def test_pdf_pages_fonts_captions_and_margins(pdf):
    info = _run("pdfinfo", str(pdf))
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 8
    fonts = _run("pdffonts", str(pdf))
    assert re.search(r"NotoSerifCJK", fonts), fonts  # the body (仿宋_GB2312)
    assert re.search(r"NotoSansCJK", fonts), fonts  # the headings (黑体)
    text = _run("pdftotext", "-layout", str(pdf), "-")
    # (pdftotext puts a space between CJK and digits: 表 1.)
    for caption in (
        r"表\s*1\s+项目基础数据",
        r"表\s*\d+\s+三级指标得分明细",
        r"图\s*1\s",
        "三、评价结果",
        "附录",
    ):
        assert re.search(caption, text), caption
    assert re.search(r"—\s*3\s*—", text)  # the page number in the footer
    # Body text starts at the left margin (28 mm) and below the top margin (37 mm).
    words = _run("pdftotext", "-f", "3", "-l", "3", "-bbox", str(pdf), "-")
    boxes = [
        tuple(float(v) for v in m)
        for m in re.findall(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', words
        )
    ]
    assert abs(min(b[0] for b in boxes) - 28 * MM) < 2
    assert 37 * MM - 1 < min(b[1] for b in boxes) < 37 * MM + 20
