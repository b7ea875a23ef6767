"""Survey definitions: schema, YAML loader and validation, condition language, question types."""

from .loader import DefinitionError
from .loader import builtin_path
from .loader import load_file
from .loader import load_text
from .schema import SurveyDefinition

__all__ = ["DefinitionError", "SurveyDefinition", "builtin_path", "load_file", "load_text"]
