"""Exceptions raised by the analysis package."""


class SurveyError(ValueError):
    """Base class of every error the analysis package raises on bad input."""


class DesignError(SurveyError):
    """The design description does not fit the data (missing column, bad weight, bad fpc)."""


class VariableError(SurveyError):
    """A column's values do not suit the statistic asked of it (text for a total, unclear scale)."""


class LonelyPSUError(SurveyError):
    """A stratum has a single PSU and ``lonely_psu="fail"`` was requested."""


class CalibrationError(SurveyError):
    """Post-stratification or raking targets cannot be met."""


class ConvergenceError(CalibrationError):
    """Raking (iterative proportional fitting) did not reach its margins within the cap."""
