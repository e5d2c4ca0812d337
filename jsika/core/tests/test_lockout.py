"""Login lockout (django-axes): repeated failures lock the account from that address."""

import pytest

from jsika.core.models import User


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_login_even_for_the_right_password(client):
    User.objects.create_user("dinsos.banten", password="benar-sekali-2026", role="manager", scope="36")
    for _ in range(5):
        response = client.post("/masuk/", {"username": "dinsos.banten", "password": "salah"})
    assert response.status_code in (403, 429)
    response = client.post("/masuk/", {"username": "dinsos.banten", "password": "benar-sekali-2026"})
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_good_login_after_a_few_failures_still_works(client):
    User.objects.create_user("operator.cilegon", password="benar-sekali-2026", role="operator", scope="36.72")
    for _ in range(2):
        client.post("/masuk/", {"username": "operator.cilegon", "password": "salah"})
    response = client.post("/masuk/", {"username": "operator.cilegon", "password": "benar-sekali-2026"})
    assert response.status_code == 302 and client.session["_auth_user_id"]
