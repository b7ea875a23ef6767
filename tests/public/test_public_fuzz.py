"""Whatever a client posts, the answer is a redirect or a form with messages, never a 500."""

from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from surveyapp.definitions import builtin_path
from surveyapp.definitions import load_file

KEYS = list(load_file(builtin_path("nanyang-dcm")).answer_keys) + ["junk", "csrf_token", "_st"]
VALUES = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["", " ", "NaN", "-0", "1e308", "１２", "0x10", "\x00", "9" * 200, "1.5"]),
)
POSTS = st.dictionaries(
    st.sampled_from(KEYS), st.lists(VALUES, min_size=1, max_size=3), max_size=12
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(posted=POSTS, complete_first=st.booleans())
def test_arbitrary_posts_never_fail_the_server(
    respondent, complete, counts, posted, complete_first
):
    before = counts()[0]
    respondent.open()
    data = {**(complete if complete_first else {}), **posted}
    response = respondent.submit(data)
    assert response.status_code in (303, 400, 409, 422), response.status_code
    stored_now = counts()[0] - before
    assert stored_now == (1 if response.status_code == 303 else 0)
