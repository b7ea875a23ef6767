"""The DOCX writer: A4 with GB/T 9704 margins, East Asian fonts, numbered captions, page-number
and TOC fields, column widths fitted to content; the Markdown writer's escaping."""

import io

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.shared import Pt

from surveyapp.reporting import blocks
from surveyapp.reporting import docx_writer
from surveyapp.reporting.charts import Bar
from surveyapp.reporting.charts import bar_chart
from surveyapp.reporting.markdown_writer import escape
from surveyapp.reporting.markdown_writer import render as render_md


def _sample():
    doc = blocks.Document(title="测试报告")
    doc.add(blocks.Cover("测试报告", ("某评价机构",), "2026年12月01日"))
    doc.add(blocks.Contents())
    doc.heading("一、基本情况")
    doc.heading("（一）项目概况", 2)
    doc.paragraph("正文段落。" * 20)
    doc.table(
        "得分表",
        ("一级指标", "权重分值", "得分", "得分率"),
        [("决策", "15", "13", "86.67%"), ("合计", "100", "93.23", "93.23%")],
        numeric=(False, True, True, True),
        bold_rows=(1,),
    )
    png = bar_chart([Bar("宛城区", 0.6, 0.55, 0.65), Bar("卧龙区", 0.7, 0.66, 0.74)])
    doc.figure("各区满意率", png, "t")
    doc.table(
        "三级指标",
        ("一级指标", "二级指标", "三级指标", "分值", "得分", "计分依据"),
        [
            ("决策", "项目立项", "立项依据充分性", "3", "3", "立项符合政策要求" * 4),
            ("", "", "立项程序规范性", "2", "2", "按规定程序申报"),
            ("", "绩效目标", "绩效指标明确性", "3", "1", "目标不够细化"),
        ],
        numeric=(False, False, False, True, True, False),
        merge_down=(0, 1),
    )
    return doc


@pytest.fixture(scope="module")
def rendered():
    return Document(io.BytesIO(docx_writer.render(_sample())))


def test_page_is_a4_with_the_gbt_9704_margins(rendered):
    section = rendered.sections[0]
    for got, mm in (
        (section.page_width, 210),
        (section.page_height, 297),
        (section.top_margin, 37),
        (section.bottom_margin, 35),
        (section.left_margin, 28),
        (section.right_margin, 26),
    ):
        assert abs(got - Mm(mm)) < Mm(0.1)


def _east_asia(style):
    return style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def test_body_is_fangsong_sanhao_and_headings_heiti(rendered):
    normal = rendered.styles["Normal"]
    assert _east_asia(normal) == "仿宋_GB2312" and normal.font.size == Pt(16)
    for name in ("Heading 1", "Heading 2"):
        style = rendered.styles[name]
        assert _east_asia(style) == "黑体" and style.font.size == Pt(16)
        rfonts = style.element.rPr.find(qn("w:rFonts"))
        assert rfonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would override 黑体
    assert _east_asia(rendered.styles["报告题注"]) == "黑体"


def test_captions_are_numbered_tables_above_figures_below(rendered):
    texts = [p.text for p in rendered.paragraphs]
    assert "表1  得分表" in texts and "表2  三级指标" in texts and "图1  各区满意率" in texts
    body = rendered.element.body
    first_table = body.index(rendered.tables[0]._tbl)
    caption = next(p for p in rendered.paragraphs if p.text == "表1  得分表")
    assert body.index(caption._p) == first_table - 1


def test_footer_has_a_page_field_and_the_cover_none(rendered):
    section = rendered.sections[0]
    instr = [e.text for e in section.footer._element.iter(qn("w:instrText"))]
    assert [t.strip() for t in instr] == ["PAGE"]
    assert section.different_first_page_header_footer
    assert not list(section.first_page_footer._element.iter(qn("w:instrText")))
    toc = [e.text for e in rendered.element.body.iter(qn("w:instrText"))]
    assert any(t.strip().startswith("TOC") for t in toc)


def test_columns_fit_their_content_and_the_line(rendered):
    text_width = Mm(210 - 28 - 26)
    for table in rendered.tables:
        grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.iter(qn("w:gridCol"))]
        assert sum(grid) * 635 <= text_width * 1.001  # twips to EMU
    score = rendered.tables[0]
    widths = [int(c.get(qn("w:w"))) for c in score._tbl.tblGrid.iter(qn("w:gridCol"))]
    assert widths[0] > max(widths[1:])  # the name column takes the room, numbers stay narrow
    detail = rendered.tables[1]
    widths = [int(c.get(qn("w:w"))) for c in detail._tbl.tblGrid.iter(qn("w:gridCol"))]
    assert widths[5] == max(widths)  # the long evidence column is the widest
    # 决策 is merged down over its three rows; 项目立项 over two.
    assert detail.cell(1, 0)._tc is detail.cell(3, 0)._tc
    assert detail.cell(1, 1)._tc is detail.cell(2, 1)._tc
    assert detail.cell(3, 1).text == "绩效目标"


def test_column_widths_prefer_sihao_and_shrink_for_long_content():
    small = blocks.Table(1, "x", ("项目", "数值"), (("立案数（件）", "465,557"),), (False, True))
    size, widths = docx_writer.column_widths(small)
    assert size == 14 and abs(sum(widths) - 156) < 0.01
    long = blocks.Table(
        1,
        "x",
        ("指标", "说明", "值"),
        (("很长的指标名称" * 3, "很长的说明文字" * 6, "1"),),
        (False, False, True),
    )
    size, widths = docx_writer.column_widths(long)
    assert size == 10.5 and sum(widths) <= 156.01


@pytest.mark.parametrize(
    "text, escaped",
    [
        ("<script>alert(1)</script>", "\\<script\\>alert(1)\\</script\\>"),
        ("[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"),
        ("# 标题", "\\# 标题"),
        ("1. 第一", "1\\. 第一"),
        ("a|b", "a\\|b"),
        ("第一行\n## 第二行", "第一行 ## 第二行"),
        ("91.36%", "91.36%"),
    ],
)
def test_markdown_escapes_what_would_be_markup(text, escaped):
    assert escape(text) == escaped


def test_markdown_keeps_figures_as_files():
    text, files = render_md(_sample(), "r")
    assert list(files) == ["r-fig1.png"] and files["r-fig1.png"][:8] == b"\x89PNG\r\n\x1a\n"
    assert "![各区满意率](r-fig1.png)" in text and "base64" not in text
    assert "**表1  得分表**" in text and "| 决策 | 15 | 13 | 86.67% |" in text
