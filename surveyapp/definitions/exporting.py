"""A stored definition version as a downloadable file: YAML, XLSForm or JSON."""

from .source import to_json
from .source import to_yaml
from .store import definition_of

FORMATS = {
    "yaml": ("application/yaml", "yaml"),
    "xlsform": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "json": ("application/json", "json"),
}


def render_definition(version, fmt):
    """``(bytes, mimetype, file suffix)`` of ``version``'s definition in ``fmt``."""
    mimetype, suffix = FORMATS[fmt]
    definition = definition_of(version)
    if fmt == "xlsform":
        from .xlsform_out import to_xlsform  # openpyxl: imported when a workbook is asked for

        return to_xlsform(definition, version_label=str(version.number)), mimetype, suffix
    text = to_yaml(definition) if fmt == "yaml" else to_json(definition)
    return text.encode("utf-8"), mimetype, suffix


def file_name(version, fmt):
    """``<key>-v<number>.<suffix>``."""
    return f"{version.survey.key}-v{version.number}.{FORMATS[fmt][1]}"
