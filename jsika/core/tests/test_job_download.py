import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from jsika.core.models import Job, User


@pytest.mark.django_db
def test_only_the_owner_downloads_a_job_file_and_media_is_not_served(client):
    owner = User.objects.create_user("a", password="x", role="operator", scope="36.72")
    job = Job.objects.create(kind="report", user=owner, status="done")
    job.output_file.save("laporan.csv", ContentFile(b"nik\n3672031705800042\n"))
    client.force_login(User.objects.create_user("b", password="x", role="operator", scope="36.72"))
    assert client.get(reverse("core:job_download", args=[job.pk])).status_code == 404
    assert client.get("/media/" + job.output_file.name).status_code == 404
    client.force_login(owner)
    response = client.get(reverse("core:job_download", args=[job.pk]))
    assert response.status_code == 200 and b"3672031705800042" in b"".join(response.streaming_content)


@pytest.mark.django_db
def test_nul_bytes_in_parameters_get_400_never_500(client):
    user = User.objects.create_user("m", password="x", role="manager", scope="36")
    client.force_login(user)
    assert client.get("/registry/", {"q": "a\x00b"}).status_code == 400
    response = client.get("/api/v1/households", {"program": "\x00"})
    assert response.status_code == 400 and "NUL" in response.json()["detail"]
