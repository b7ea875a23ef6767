"""Render a :class:`~.blocks.Document` as Markdown, with its figures as PNG files beside it.

Every text that comes from data (labels, answers, evaluator's texts) is escaped: no raw HTML,
no headings, lists, links or images can be smuggled in through a label.
"""

import re
from pathlib import Path

from . import blocks

# Characters with a meaning anywhere in CommonMark/GFM inline syntax (links, emphasis, HTML,
# code, tables, entities); block markers matter only at the start of the text.
_INLINE = re.compile(r"([\\`*_\[\]<>&|!~])")
_BLOCK_START = re.compile(r"^(>|[#+=-](?=\s|$|#)|\d+[.)](?=\s|$))")


def escape(text):
    """``text`` with Markdown metacharacters backslash-escaped and line breaks flattened."""
    text = _INLINE.sub(r"\\\1", " ".join(str(text).split()))
    return _BLOCK_START.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], text)


def _table(table: blocks.Table):
    lines = [f"**{table.label}  {escape(table.caption)}**", ""]
    lines.append("| " + " | ".join(escape(h) for h in table.headers) + " |")
    aligns = [
        "---:" if i < len(table.numeric) and table.numeric[i] else "---"
        for i in range(len(table.headers))
    ]
    lines.append("|" + "|".join(aligns) + "|")
    for r, row in enumerate(table.rows):
        cells = [escape(c) for c in row]
        if r in table.bold_rows:
            cells = [f"**{c}**" if c else c for c in cells]
        lines.append("| " + " | ".join(cells) + " |")
    if table.note:
        lines += ["", escape(table.note)]
    return lines + [""]


def render(document: blocks.Document, stem):
    """``(markdown text, {file name: PNG bytes})``; figures are named ``<stem>-fig<N>.png``."""
    out, files = [], {}
    for block in document.blocks:
        if isinstance(block, blocks.Cover):
            out += [f"# {escape(block.title)}", ""]
            out += [escape(line) + "  " for line in block.lines]
            out += [escape(block.date), ""] if block.date else [""]
        elif isinstance(block, blocks.Heading):
            out += ["#" * (block.level + 1) + " " + escape(block.text), ""]
        elif isinstance(block, blocks.Paragraph):
            out += [f"*{escape(block.text)}*" if block.note else escape(block.text), ""]
        elif isinstance(block, blocks.Table):
            out += _table(block)
        elif isinstance(block, blocks.Figure):
            name = f"{stem}-fig{block.number}.png"
            files[name] = block.png
            out += [
                f"![{escape(block.caption)}]({name})",
                "",
                f"*{block.label}  {escape(block.caption)}*",
                "",
            ]
    return "\n".join(out).rstrip() + "\n", files


def write(document: blocks.Document, path):
    """Write the Markdown file and its figures beside it; returns every path written."""
    path = Path(path)
    text, files = render(document, path.stem)
    path.write_text(text, encoding="utf-8")
    written = [path]
    for name, data in files.items():
        (path.parent / name).write_bytes(data)
        written.append(path.parent / name)
    return written
