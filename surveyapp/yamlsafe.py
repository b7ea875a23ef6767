"""The one way the application reads YAML it is given: definitions, rubrics, settings.

``yaml.safe_load`` builds no Python objects beyond plain data, but it still expands aliases
(a 543-byte "billion laughs" file became gigabytes) and composes nesting recursively (a few
thousand ``[`` raise ``RecursionError``). :func:`safe_load` refuses aliases outright (a definition
never needs them), caps the nesting depth and the size of the text, and says where the problem is.
"""

import yaml
from flask_babel import gettext as _

MAX_BYTES = 512 * 1024
MAX_DEPTH = 20


class YamlRefused(ValueError):
    """The YAML text is malformed, too large, too deep or uses aliases; the message says which."""


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader without aliases and with a nesting limit."""

    def __init__(self, stream, max_depth):
        super().__init__(stream)
        self._max_depth = max_depth
        self._path = []

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise YamlRefused(
                _(
                    "line %(line)d: aliases (*%(anchor)s) are not allowed",
                    line=event.start_mark.line + 1,
                    anchor=event.anchor,
                )
            )
        step = index.value if isinstance(index, yaml.ScalarNode) else index
        self._path.append(step)
        try:
            if len(self._path) > self._max_depth:
                mark = self.peek_event().start_mark
                raise YamlRefused(
                    _(
                        "line %(line)d: nested deeper than %(depth)d levels (at %(where)s)",
                        line=mark.line + 1,
                        depth=self._max_depth,
                        where=_where(self._path),
                    )
                )
            return super().compose_node(parent, index)
        finally:
            self._path.pop()


def _where(path):
    parts = []
    for step in path[1:]:  # the first is the document itself
        if isinstance(step, int):
            parts.append(f"[{step + 1}]")
        elif step is not None:
            parts.append(("." if parts else "") + str(step)[:40])
    return "".join(parts) or _("the top")


def safe_load(text, max_bytes=MAX_BYTES, max_depth=MAX_DEPTH):
    """Plain data from YAML ``text`` (str or bytes), or :class:`YamlRefused` saying why not."""
    return safe_load_with_nodes(text, max_bytes, max_depth)[0]


def safe_load_with_nodes(text, max_bytes=MAX_BYTES, max_depth=MAX_DEPTH):
    """``(data, root node)``: :func:`safe_load`'s data and the composed node tree it was built
    from (None for an empty document), whose marks say where each value is (:func:`position`)."""
    size = len(text.encode("utf-8") if isinstance(text, str) else text)
    if size > max_bytes:
        raise YamlRefused(
            _(
                "the text is %(size)d KB; at most %(limit)d KB is read",
                size=size // 1024,
                limit=max_bytes // 1024,
            )
        )
    loader = _Loader(text, max_depth)
    try:
        root = loader.get_single_node()
        return (None if root is None else loader.construct_document(root)), root
    except YamlRefused:
        raise
    except yaml.YAMLError as exc:
        # PyYAML's own account (with the line, column and caret) is kept as data in the sentence.
        raise YamlRefused(_("not valid YAML: %(detail)s", detail=exc)) from None
    finally:
        loader.dispose()


def position(root, path):
    """``(line, column)``, both from 1, of the node at ``path`` in the composed ``root``.

    ``path`` holds mapping keys and list indexes. A path that ends on a mapping key gives that
    key's position (where the entry starts); where the path leaves the document (an attribute
    that is missing), the position of the deepest node it reached.
    """
    node, mark = root, root.start_mark
    for step in path:
        if isinstance(node, yaml.MappingNode):
            pair = next(
                (
                    (key, value)
                    for key, value in node.value
                    if isinstance(key, yaml.ScalarNode) and key.value == str(step)
                ),
                None,
            )
            if pair is None:
                break
            mark, node = pair[0].start_mark, pair[1]
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(step, int)
            and 0 <= step < len(node.value)
        ):
            node = node.value[step]
            mark = node.start_mark
        else:
            break
    return mark.line + 1, mark.column + 1
