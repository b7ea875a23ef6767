from tests.results.conftest import accounts  # noqa: F401
from tests.results.conftest import as_role  # noqa: F401
from tests.results.conftest import demo  # noqa: F401
