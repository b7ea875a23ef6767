"""Render a :class:`~.blocks.Document` as DOCX in the format of Chinese official documents.

Layout after GB/T 9704-2012 (党政机关公文格式): A4, margins top 37 mm, bottom 35 mm, left 28 mm,
right 26 mm; body in 仿宋_GB2312 三号 (16 pt) at a fixed 28 pt line pitch with a two-character
first-line indent; headings in 黑体 三号; page numbers in the footer as a PAGE field between dashes
(宋体 四号). Tables and figures carry numbered captions (表1…, 图1…); table columns are as wide as
their content needs, and tables shrink to 小四 or 五号 only when 四号 would not fit the line.
"""

import io

from docx import Document as new_docx
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm
from docx.shared import Mm
from docx.shared import Pt
from docx.shared import RGBColor

from . import blocks

BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
PAGE = {"width": 210, "height": 297, "top": 37, "bottom": 35, "left": 28, "right": 26}
TEXT_WIDTH_MM = PAGE["width"] - PAGE["left"] - PAGE["right"]
SIZES = {"三号": 16, "四号": 14, "小四": 12, "五号": 10.5}
TABLE_SIZES = (SIZES["四号"], SIZES["小四"], SIZES["五号"])
CELL_PADDING_MM = 4.4  # left + right cell margins of the table style (1.9 mm each), and air
MIN_TEXT_CHARS = 7
SHORT_CHARS = 10  # text this short never wraps
KEEP_TOGETHER_ROWS = 12
WRAP_CHARS = 18  # a text column wraps rather than grow beyond this many full-width characters
_THEME_ATTRIBUTES = ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")


def set_fonts(rpr_owner, east_asia, latin=LATIN_FONT):
    """Set the Latin and East Asian fonts of a style or run (w:rFonts, theme fonts removed)."""
    rpr = rpr_owner.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in _THEME_ATTRIBUTES:
        rfonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "cs"):
        rfonts.set(qn(f"w:{attr}"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)


def _style(doc, name, east_asia, size, bold=False, base=None):
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, 1)
    if base is not None:
        style.base_style = styles[base]
    set_fonts(style.element, east_asia)
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    fmt = style.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    return style


def _setup(doc):
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            rfonts = rpr.find(qn("w:rFonts"))
            if rfonts is not None:
                for attr in _THEME_ATTRIBUTES:
                    rfonts.attrib.pop(qn(f"w:{attr}"), None)
                rfonts.set(qn("w:eastAsia"), BODY_FONT)
                rfonts.set(qn("w:ascii"), LATIN_FONT)
                rfonts.set(qn("w:hAnsi"), LATIN_FONT)
    normal = _style(doc, "Normal", BODY_FONT, SIZES["三号"])
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal.element.get_or_add_rPr().append(lang)
    fmt = normal.paragraph_format
    fmt.first_line_indent = Pt(2 * SIZES["三号"])
    fmt.line_spacing = Pt(28)
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    for name in ("Heading 1", "Heading 2"):
        style = _style(doc, name, HEADING_FONT, SIZES["三号"], bold=False)
        style.paragraph_format.first_line_indent = Pt(2 * SIZES["三号"])
        style.paragraph_format.line_spacing = Pt(28)
        style.paragraph_format.space_before = Pt(6)
        style.paragraph_format.keep_with_next = True
    for name, size in (("TOC 1", 16), ("TOC 2", 16)):
        style = _style(doc, name, BODY_FONT, size, base="Normal")
        style.paragraph_format.first_line_indent = Pt(0)
        style.paragraph_format.left_indent = Pt(0 if name == "TOC 1" else 32)
    caption = _style(doc, "报告题注", HEADING_FONT, SIZES["四号"], base="Normal")
    caption.paragraph_format.first_line_indent = Pt(0)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.line_spacing = 1.0
    caption.paragraph_format.space_before = Pt(6)
    caption.paragraph_format.space_after = Pt(3)
    for name, size in (("报告表格", SIZES["四号"]), ("报告注释", SIZES["四号"])):
        style = _style(doc, name, BODY_FONT, size, base="Normal")
        style.paragraph_format.first_line_indent = Pt(0)
        style.paragraph_format.line_spacing = 1.0
    _style(
        doc, "报告注释", BODY_FONT, SIZES["小四"], base="Normal"
    ).paragraph_format.space_after = Pt(6)
    settings = doc.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


def _page(section):
    section.page_width = Mm(PAGE["width"])
    section.page_height = Mm(PAGE["height"])
    section.top_margin = Mm(PAGE["top"])
    section.bottom_margin = Mm(PAGE["bottom"])
    section.left_margin = Mm(PAGE["left"])
    section.right_margin = Mm(PAGE["right"])
    section.header_distance = Mm(15)
    section.footer_distance = Mm(21)
    section.different_first_page_header_footer = True  # no page number on the cover


def add_field(paragraph, instruction, placeholder=""):
    """Append a complex field (``PAGE``, ``TOC ...``) with a cached result to ``paragraph``."""

    def char(kind):
        run = paragraph.add_run()
        fld = OxmlElement("w:fldChar")
        fld.set(qn("w:fldCharType"), kind)
        run._r.append(fld)
        return run

    char("begin")
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    char("separate")
    result = paragraph.add_run(placeholder)
    char("end")
    return result


def _footer(section):
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Pt(0)
    for text, field in (("— ", False), ("PAGE", True), (" —", False)):
        run = add_field(paragraph, "PAGE", "1") if field else paragraph.add_run(text)
        set_fonts(run._r, PAGE_NUMBER_FONT)
        run.font.size = Pt(SIZES["四号"])


def _cover(doc, cover):
    for _ in range(5):
        doc.add_paragraph()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.first_line_indent = Pt(0)
    title.paragraph_format.line_spacing = 1.3
    run = title.add_run(cover.title)
    set_fonts(run._r, HEADING_FONT)
    run.font.size = Pt(22)  # 二号
    doc.add_paragraph()
    for line in cover.lines:
        p = doc.add_paragraph(line)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.first_line_indent = Pt(0)
    for _ in range(6):
        doc.add_paragraph()
    if cover.date:
        p = doc.add_paragraph(cover.date)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.first_line_indent = Pt(0)
    _page_break(doc)


def _contents(doc, block, headings):
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Pt(0)
    run = p.add_run(block.title)
    set_fonts(run._r, HEADING_FONT)
    field = doc.add_paragraph(style="TOC 1")
    # The cached result lists the headings; Word refreshes it with page numbers on opening.
    add_field(field, 'TOC \\o "1-2" \\h \\z \\u', headings[0].text if headings else "")
    for heading in headings[1:]:
        doc.add_paragraph(heading.text, style=f"TOC {heading.level}")
    _page_break(doc)


def _page_break(doc):
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _display_width(text):
    """Width in full-width character units (a CJK character is 1, Latin letters and digits ~0.55)."""
    return sum(1.0 if ord(ch) > 0x2E7F else 0.85 if ch in "%–—MW" else 0.55 for ch in text)


def _typical_width(texts, numeric):
    """The width a column needs: its longest number or short text, else what 80% of its texts fit in."""
    widths = sorted(_display_width(t) for t in texts) or [0]
    if numeric or widths[-1] <= SHORT_CHARS:
        return widths[-1]
    return max(widths[int(0.8 * (len(widths) - 1))], SHORT_CHARS)


def column_widths(table: blocks.Table):
    """``(font size in pt, [column widths in mm])`` so the columns fit their content and the line.

    Number columns get the width of their longest value (and of a short header); text columns
    share the rest and wrap at WRAP_CHARS. The largest size (四号, then 小四, 五号) is taken at
    which the text columns get what they want; else 五号, the text columns shrinking towards
    MIN_TEXT_CHARS in proportion to their content.
    """
    cells = [table.headers, *table.rows]
    ncols = len(table.headers)
    numeric = [i < len(table.numeric) and table.numeric[i] for i in range(ncols)]
    longest = [
        _typical_width([row[c] for row in cells[1:] if c < len(row)], numeric[c])
        for c in range(ncols)
    ]
    headers = [_display_width(h) for h in table.headers]

    def plan(size):
        char_mm = size * 0.3528
        fixed = {
            c: max(longest[c], min(headers[c], 5), 1.5) * char_mm + CELL_PADDING_MM
            for c in range(ncols)
            if numeric[c]
        }
        want = {
            c: max(min(longest[c], WRAP_CHARS), min(headers[c], max(longest[c], 2)), 2) * char_mm
            + CELL_PADDING_MM
            for c in range(ncols)
            if not numeric[c]
        }
        floor = {c: min(w, MIN_TEXT_CHARS * char_mm + CELL_PADDING_MM) for c, w in want.items()}
        return fixed, want, floor, TEXT_WIDTH_MM - sum(fixed.values())

    # The largest size at which text wraps no narrower than WRAP_CHARS; long content gets the
    # smallest size (more words per line read better than a larger font in narrow columns).
    plans = [(size, *plan(size)) for size in TABLE_SIZES]
    chosen = next((p for p in plans if sum(p[2].values()) <= p[4]), plans[-1])
    size, fixed, want, floor, room = chosen
    if not want:
        scale = TEXT_WIDTH_MM / sum(fixed.values())
        return size, [fixed[c] * min(scale, 1.6) for c in range(ncols)]
    total_want = sum(want.values())
    if total_want <= room:
        # Spare room goes to the text columns, in proportion to what they hold.
        widths = {c: w + (room - total_want) * w / total_want for c, w in want.items()}
    else:
        # Text columns shrink towards their floor in proportion to what they would like.
        spare = max(room - sum(floor.values()), 0)
        extra = sum(want[c] - floor[c] for c in want) or 1
        widths = {c: floor[c] + spare * (want[c] - floor[c]) / extra for c in want}
    widths.update(fixed)
    total = sum(widths.values())
    if total > TEXT_WIDTH_MM:
        widths = {c: w * TEXT_WIDTH_MM / total for c, w in widths.items()}
    return size, [widths[c] for c in range(ncols)]


def _cell_text(cell, text, size, bold, align):
    paragraph = cell.paragraphs[0]
    paragraph.style = "报告表格"
    paragraph.alignment = align
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _table(doc, table: blocks.Table):
    caption = doc.add_paragraph(f"{table.label}  {table.caption}", style="报告题注")
    caption.paragraph_format.keep_with_next = True
    size, widths = column_widths(table)
    out = doc.add_table(rows=1 + len(table.rows), cols=len(table.headers))
    out.style = "Table Grid"
    out.alignment = WD_TABLE_ALIGNMENT.CENTER
    out.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    out._tbl.tblPr.append(layout)
    for i, width in enumerate(widths):
        out.columns[i].width = Mm(width)
    for i, row in enumerate(out.rows):
        # Rows never break across pages; the header row repeats on each page.
        props = row._tr.get_or_add_trPr()
        props.append(OxmlElement("w:cantSplit"))
        if i == 0:
            repeat = OxmlElement("w:tblHeader")
            repeat.set(qn("w:val"), "true")
            props.append(repeat)
    _merge(out, table)
    for r, values in enumerate([table.headers, *table.rows]):
        row = out.rows[r]
        bold = r == 0 or (r - 1) in table.bold_rows
        for c, cell in enumerate(row.cells):
            cell.width = Mm(widths[c])
            numeric = r > 0 and c < len(table.numeric) and table.numeric[c]
            align = WD_ALIGN_PARAGRAPH.CENTER if r == 0 or numeric else WD_ALIGN_PARAGRAPH.LEFT
            _cell_text(cell, values[c] if c < len(values) else "", size, bold, align)
            if len(table.rows) <= KEEP_TOGETHER_ROWS and r < len(table.rows):
                # Short tables stay on one page (each row keeps with the next).
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.keep_with_next = True
    if table.note:
        doc.add_paragraph(table.note, style="报告注释")
    else:
        doc.add_paragraph(style="报告注释")


def _merge(out, table: blocks.Table):
    """Merge each run of empty cells in a ``merge_down`` column into the cell above it."""
    for col in table.merge_down:
        start = None
        for r in range(len(table.rows) + 1):
            empty = r < len(table.rows) and table.rows[r][col] == ""
            if empty and start is None and r > 0:
                start = r - 1
            if not empty and start is not None:
                out.cell(start + 1, col).merge(out.cell(r, col))
                start = None


def _figure(doc, figure: blocks.Figure):
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Pt(0)
    p.paragraph_format.line_spacing = 1.0
    p.paragraph_format.keep_with_next = True
    p.add_run().add_picture(io.BytesIO(figure.png), width=Cm(figure.width_cm))
    doc.add_paragraph(f"{figure.label}  {figure.caption}", style="报告题注")


def render(document: blocks.Document):
    """The DOCX bytes of ``document``."""
    doc = new_docx()
    _setup(doc)
    section = doc.sections[0]
    _page(section)
    _footer(section)
    doc.core_properties.title = document.title
    doc.core_properties.language = "zh-CN"
    headings = [b for b in document.blocks if isinstance(b, blocks.Heading)]
    # python-docx starts with one empty paragraph in some templates: none in the default one.
    for block in document.blocks:
        if isinstance(block, blocks.Cover):
            _cover(doc, block)
        elif isinstance(block, blocks.Contents):
            _contents(doc, block, headings)
        elif isinstance(block, blocks.Heading):
            doc.add_paragraph(block.text, style=f"Heading {block.level}")
        elif isinstance(block, blocks.Paragraph):
            doc.add_paragraph(block.text, style="报告注释" if block.note else "Normal")
        elif isinstance(block, blocks.Table):
            _table(doc, block)
        elif isinstance(block, blocks.Figure):
            _figure(doc, block)
        elif isinstance(block, blocks.PageBreak):
            _page_break(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
