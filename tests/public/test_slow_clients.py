"""A posted questionnaire is read in full before the database is touched, so slow clients
cannot hold the connection pool while they send."""

import io

from sqlalchemy import event

from surveyapp.extensions import db as _db

URL = "/s/nanyang-dcm"


class RecordingStream(io.BytesIO):
    """A request body that notes when the application reads it."""

    def __init__(self, data, events):
        super().__init__(data)
        self.events = events

    def read(self, *args):
        self.events.append("body")
        return super().read(*args)

    def readinto(self, buffer):
        self.events.append("body")
        return super().readinto(buffer)

    def readline(self, *args):
        self.events.append("body")
        return super().readline(*args)


def test_the_body_is_read_before_a_database_connection_is_taken(app, client):
    events = []
    with app.app_context():
        engine = _db.engine

    def checkout(*_args):
        events.append("database")

    event.listen(engine, "checkout", checkout)
    try:
        body = b"district=1&awareness=2&" + b"x=" + b"y" * 5000
        response = client.post(
            URL,
            input_stream=RecordingStream(body, events),
            content_type="application/x-www-form-urlencoded",
            content_length=len(body),
        )
    finally:
        event.remove(engine, "checkout", checkout)
    assert response.status_code == 400  # no tokens: the form is shown again, answers kept
    assert "database" in events and events[0] == "body", events
