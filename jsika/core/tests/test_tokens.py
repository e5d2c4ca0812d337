"""API tokens: `create_api_token`, what is stored, and how a request authenticates (token or session)."""

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.middleware.csrf import get_token
from django.test import RequestFactory
from django.utils import timezone
from ninja import NinjaAPI

from jsika.core.api_auth import api_auth
from jsika.core.api_errors import install_error_handlers
from jsika.core.models import ApiToken
from jsika.registry.tests.factories import make_user

pytestmark = pytest.mark.django_db


def create_token(username: str) -> str:
    out = StringIO()
    call_command("create_api_token", username, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def households(client, token):
    return client.get("/api/v1/households", headers={"Authorization": f"Bearer {token}"})


def test_command_prints_a_token_that_authenticates_as_that_user(client):
    make_user("opd.kesehatan", "partner", "36")
    token = create_token("opd.kesehatan")
    assert token.startswith("jsk_") and len(token) > 40
    response = households(client, token)
    assert response.status_code == 200
    assert response.json() == {"count": 0, "items": []}


def test_only_the_sha256_of_the_token_is_stored():
    user = make_user("opd.kesehatan", "partner", "36")
    token = create_token("opd.kesehatan")
    stored = ApiToken.objects.get(user=user)
    assert stored.digest == hashlib.sha256(token.encode()).hexdigest()
    row = [str(getattr(stored, f.attname)) for f in ApiToken._meta.concrete_fields]
    assert not any(token in value for value in row)
    assert not any(token in str(h.__dict__) for h in stored.history.all())


def test_each_call_issues_a_new_token():
    make_user("opd.kesehatan", "partner", "36")
    first, second = create_token("opd.kesehatan"), create_token("opd.kesehatan")
    assert first != second
    assert ApiToken.objects.count() == 2


def test_name_option_labels_the_token():
    user = make_user("opd.kesehatan", "partner", "36")
    call_command("create_api_token", "opd.kesehatan", "--name", "SIMPUS Dinkes", stdout=StringIO(), stderr=StringIO())
    assert ApiToken.objects.get(user=user).name == "SIMPUS Dinkes"


def test_unknown_user_is_a_clear_error():
    with pytest.raises(CommandError, match="Pengguna 'tidak.ada' tidak ditemukan"):
        call_command("create_api_token", "tidak.ada", stdout=StringIO(), stderr=StringIO())
    assert not ApiToken.objects.exists()


def test_unknown_user_exits_non_zero_from_the_command_line(capsys):
    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "create_api_token", "tidak.ada"])
    assert exit_info.value.code != 0
    assert "tidak ditemukan" in capsys.readouterr().err


def test_inactive_user_gets_no_token():
    make_user("mantan.operator", "operator", "36.72", is_active=False)
    with pytest.raises(CommandError, match="tidak aktif"):
        call_command("create_api_token", "mantan.operator", stdout=StringIO(), stderr=StringIO())


def test_use_records_last_used_at(client):
    user = make_user("opd.kesehatan", "partner", "36")
    token = create_token("opd.kesehatan")
    households(client, token)
    assert ApiToken.objects.get(user=user).last_used_at is not None


def test_last_used_at_is_written_at_most_once_a_minute(client):
    user = make_user("opd.kesehatan", "partner", "36")
    token = create_token("opd.kesehatan")
    households(client, token)
    first = ApiToken.objects.get(user=user).last_used_at
    households(client, token)
    assert ApiToken.objects.get(user=user).last_used_at == first  # a second call within the minute: no write
    ApiToken.objects.filter(user=user).update(last_used_at=first - timedelta(minutes=2))
    households(client, token)
    assert ApiToken.objects.get(user=user).last_used_at > first


def test_revoked_token_is_401(client):
    user = make_user("opd.kesehatan", "partner", "36")
    token = create_token("opd.kesehatan")
    ApiToken.objects.filter(user=user).update(revoked_at=timezone.now())
    response = households(client, token)
    assert response.status_code == 401
    assert response.json() == {"detail": "Token tidak berlaku."}


def test_token_of_a_deactivated_user_is_401(client):
    user = make_user("opd.kesehatan", "partner", "36")
    token = create_token("opd.kesehatan")
    user.is_active = False
    user.save()
    assert households(client, token).status_code == 401


def test_scheme_is_case_insensitive(client):
    make_user("opd.kesehatan", "partner", "36")
    token = create_token("opd.kesehatan")
    response = client.get("/api/v1/households", headers={"Authorization": f"bearer {token}"})
    assert response.status_code == 200


# --- session auth and CSRF on unsafe methods (the pages' own calls) ----------------------------

probe_api = NinjaAPI(auth=api_auth, urls_namespace="csrf-probe")
install_error_handlers(probe_api)


@probe_api.post("/probe")
def probe(request):
    return {"user": request.auth.username}


def call_probe(request):
    for pattern in probe_api.urls[0]:
        match = pattern.resolve("probe")
        if match:
            return match.func(request)
    raise AssertionError("probe route not found")


def test_session_post_without_csrf_token_is_403():
    request = RequestFactory().post("/probe", data={}, content_type="application/json")
    request.user = make_user("operator.cilegon", "operator", "36.72")
    request.COOKIES["sessionid"] = "a-session"
    response = call_probe(request)
    assert response.status_code == 403
    assert response.content == b'{"detail": "CSRF check Failed"}'


def test_session_post_with_csrf_token_passes():
    seed = RequestFactory().get("/")
    masked = get_token(seed)
    request = RequestFactory().post("/probe", data={}, content_type="application/json",
                                    headers={"X-CSRFToken": masked})
    request.COOKIES[settings.CSRF_COOKIE_NAME] = seed.META["CSRF_COOKIE"]
    request.COOKIES["sessionid"] = "a-session"
    request.user = make_user("operator.cilegon", "operator", "36.72")
    response = call_probe(request)
    assert response.status_code == 200


def test_bearer_post_needs_no_csrf_token():
    make_user("operator.cilegon", "operator", "36.72")
    token = create_token("operator.cilegon")
    request = RequestFactory().post("/probe", data={}, content_type="application/json",
                                    headers={"Authorization": f"Bearer {token}"})
    request.user = AnonymousUser()
    response = call_probe(request)
    assert response.status_code == 200
    assert response.content == b'{"user": "operator.cilegon"}'
