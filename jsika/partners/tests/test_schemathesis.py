"""Schemathesis against /api/v1/openapi.json, in-process: whatever the documented operations are sent, the API
never answers 500 (``not_a_server_error``). Authenticated as a manager of the test world, with bounded examples
so the whole API is exercised in a couple of minutes."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from .factories import partner_world, token_for

MAX_EXAMPLES = 25


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def keep_test_connection():
    """The real WSGI handler closes the database connection after each request, which on PostgreSQL would end
    the test's transaction; Django's own test client switches this off the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def manager_headers(db, regions, settings, keep_test_connection):
    settings.JSIKA_API_RATE_LIMIT = "100000/minute"  # the fuzzing is not what the rate limit is for
    world = partner_world()
    return {"Authorization": f"Bearer {token_for(world['manager'])}"}


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_never_answers_a_server_error(case, manager_headers):
    case.call_and_validate(headers=manager_headers, checks=[not_a_server_error])
