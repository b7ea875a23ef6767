"""The public questionnaire: what citizens see."""

from . import errors  # noqa: F401  (registers the app-wide error pages)
from . import preview  # noqa: F401  (registers the hook that marks preview answers as test)
from . import share  # noqa: F401  (registers the share image and the page's card helper)
from . import views  # noqa: F401  (registers the routes)
from .blueprint import bp

__all__ = ["bp"]
