from intake.models import Submission
from intake.extensions import db


def test_walk(walker):
    response = walker.complete()
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.location.endswith("/intake/done")
    assert db.session.query(Submission).count() == 1
