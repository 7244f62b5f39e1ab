"""Pages an editor scheduled go live (and expire) by the periodic run; dev links point where the server serves."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from booking.periodic import run_periodic
from groepswijzer.served import runserver_base_url
from tests.factories import StandardPageFactory

pytestmark = pytest.mark.django_db


def test_a_page_scheduled_to_go_live_is_published_by_the_periodic_run(client, home):
    page = StandardPageFactory(parent=home, title="Nieuwe groepen in Geldrop", slug="geldrop", live=False)
    go_live = timezone.now() + datetime.timedelta(hours=2)
    page.go_live_at = go_live
    page.save_revision(approved_go_live_at=go_live)
    assert client.get("/geldrop/").status_code == 404

    assert run_periodic()["pages_published"] == 0
    with time_machine.travel(go_live + datetime.timedelta(minutes=1), tick=False):
        assert run_periodic()["pages_published"] == 1
        response = client.get("/geldrop/")
    assert response.status_code == 200
    assert "Nieuwe groepen in Geldrop" in response.content.decode()


def test_a_page_past_its_expiry_is_taken_offline_by_the_periodic_run(client, home):
    expire_at = timezone.now() + datetime.timedelta(days=1)
    StandardPageFactory(parent=home, title="Zomerrooster", slug="zomer", expire_at=expire_at)
    assert client.get("/zomer/").status_code == 200
    with time_machine.travel(expire_at + datetime.timedelta(minutes=1), tick=False):
        assert run_periodic()["pages_published"] == 1
        assert client.get("/zomer/").status_code == 404


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["manage.py", "runserver"], "http://127.0.0.1:8000"),
        (["manage.py", "runserver", "8001"], "http://127.0.0.1:8001"),
        (["manage.py", "runserver", "192.168.1.20:8080", "--noreload"], "http://192.168.1.20:8080"),
        (["manage.py", "runserver", "--noreload", "0.0.0.0:9000"], "http://127.0.0.1:9000"),
        (["manage.py", "runserver", "[::1]:8002"], "http://[::1]:8002"),
        (["manage.py", "run_periodic"], None),
    ],
)
def test_dev_links_follow_the_address_the_server_serves_on(argv, expected):
    assert runserver_base_url(argv) == expected
