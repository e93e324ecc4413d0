from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.patient.helpers import WizardWalker


@pytest.fixture
def walker(client: FlaskClient) -> WizardWalker:
    return WizardWalker(client)
