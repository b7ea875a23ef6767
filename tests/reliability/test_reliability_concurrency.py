"""Many respondents at once against a real multi-process server: nothing lost, nothing doubled."""

import random
import threading
from collections import Counter

import pytest
from reliability_support import harness
from reliability_support import open_form
from reliability_support import run_threads

pytestmark = pytest.mark.slow

THREADS = 32
SUBMISSIONS = 3000
# Every REJECT_EVERY-th post leaves out a required answer and must store nothing.
REJECT_EVERY = 10


def test_concurrent_distinct_submissions_are_each_stored_exactly_once(served):
    answered = {}  # nonce -> status
    lock = threading.Lock()
    counter = iter(range(SUBMISSIONS))

    def respondent(index):
        rng = random.Random(index)
        client, form, csrf = open_form(served.url)
        try:
            for n in counter:
                token, nonce = harness.mint_token("reliability-secret-key", served.version_id)
                answers = harness.complete_answers(form, rng)
                if n % REJECT_EVERY == 0:
                    answers = [(k, v) for k, v in answers if k != "district"]
                status, response, _body = client.post(
                    "/s/nanyang-dcm", harness.encode(answers, csrf, token)
                )
                if status == 303:
                    assert response.getheader("Location").endswith("/s/nanyang-dcm/thanks")
                with lock:
                    answered[nonce] = (n, status)
        finally:
            client.close()

    run_threads(THREADS, respondent)

    assert len(answered) == SUBMISSIONS
    statuses = Counter(status for _n, status in answered.values())
    assert set(statuses) <= {303, 422}, statuses
    accepted = {nonce for nonce, (_n, status) in answered.items() if status == 303}
    rejected = {nonce for nonce, (n, status) in answered.items() if status != 303}
    assert all(answered[nonce][0] % REJECT_EVERY == 0 for nonce in rejected)
    assert len(rejected) == SUBMISSIONS // REJECT_EVERY

    stored = served.stored_tokens()
    assert len(stored) == len(set(stored)), "a response was stored twice"
    assert set(stored) == accepted, "stored responses differ from the acknowledged ones"


def test_the_same_form_posted_twenty_times_at_once_is_stored_once(served):
    client, form, csrf = open_form(served.url)
    client.close()
    token, nonce = harness.mint_token("reliability-secret-key", served.version_id)
    body = harness.encode(harness.complete_answers(form, random.Random(7)), csrf, token)
    barrier = threading.Barrier(20)
    outcomes = []

    def post(_index):
        # Same session cookie, same form, separate connections: a frantic double-clicker.
        twin = harness.Respondent(served.url)
        twin.cookie = client.cookie
        barrier.wait()
        status, response, page = twin.post("/s/nanyang-dcm", body)
        outcomes.append((status, response.getheader("Location", ""), page))
        twin.close()

    run_threads(20, post)

    for status, location, page in outcomes:
        assert status < 500, page[:500]
        if status != 303:
            # Not the thanks redirect: then a page that says what to do, never an empty error.
            assert b"<h1" in page or b"notice" in page
        else:
            assert location.endswith("/thanks")
    assert sum(1 for status, _l, _p in outcomes if status == 303) >= 1
    assert served.stored_tokens() == [nonce]
