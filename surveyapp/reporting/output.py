"""Write a composed document as DOCX, Markdown with its figures beside it, or a ZIP of the latter."""

import tempfile
import zipfile
from pathlib import Path

from . import docx_writer
from . import markdown_writer


def write(document, fmt, path):
    """Write ``document`` to ``path`` as ``docx``, ``md`` or ``zip`` (Markdown and figures); paths written."""
    path = Path(path)
    if fmt == "docx":
        path.write_bytes(docx_writer.render(document))
        return [path]
    if fmt == "md":
        return markdown_writer.write(document, path)
    if fmt == "zip":
        with tempfile.TemporaryDirectory() as tmp:
            files = markdown_writer.write(
                document, Path(tmp) / f"{path.stem.removesuffix('-md')}.md"
            )
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
                for file in files:
                    archive.write(file, file.name)
        return [path]
    raise ValueError(f"unknown report format {fmt!r}")
