"""Database models, one module per main entity. Import them from here."""

from .audit import AuditEntry
from .evaluation import Evaluation
from .evaluation import EvaluationVersion
from .fieldwork import FormStart
from .fieldwork import Invitation
from .fieldwork import Quota
from .fieldwork import SpentForm
from .response import Answer
from .response import DeletionRequest
from .response import Response
from .response import ResponseFlag
from .settings import AnalysisSettings
from .survey import Survey
from .survey import SurveyVersion
from .survey import bump_data_version
from .survey import data_version
from .user import ApiToken
from .user import User

__all__ = [
    "AnalysisSettings",
    "Answer",
    "ApiToken",
    "AuditEntry",
    "DeletionRequest",
    "Evaluation",
    "EvaluationVersion",
    "FormStart",
    "Invitation",
    "Quota",
    "Response",
    "ResponseFlag",
    "SpentForm",
    "Survey",
    "SurveyVersion",
    "User",
    "bump_data_version",
    "data_version",
]
