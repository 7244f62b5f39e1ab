"""Behind the load balancer every visitor has their own address, and nobody can lock a coordinator out."""

import pytest
from django.test import RequestFactory

from groepswijzer.clients import client_ip
from groepswijzer.settings import base
from tests import factories

LOAD_BALANCER = "10.0.0.5"


def request_from(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_connection_counts_and_the_header_is_ignored(settings):
    settings.GROEPSWIJZER_TRUSTED_PROXY_COUNT = 0
    settings.GROEPSWIJZER_TRUSTED_PROXY_RANGES = []
    assert client_ip(request_from("198.51.100.7", "203.0.113.9")) == "198.51.100.7"


@pytest.mark.parametrize(
    ("forwarded", "client"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("1.2.3.4, 203.0.113.9", "203.0.113.9"),  # the client typed 1.2.3.4 itself: not trusted
        ("", LOAD_BALANCER),  # a balancer that adds nothing: the connection is all we know
        ("203.0.113.9:5123", "203.0.113.9"),
        ("[2001:db8::7]:443", "2001:db8::7"),
    ],
)
def test_one_trusted_proxy(settings, forwarded, client):
    settings.GROEPSWIJZER_TRUSTED_PROXY_COUNT = 1
    settings.GROEPSWIJZER_TRUSTED_PROXY_RANGES = []
    assert client_ip(request_from(LOAD_BALANCER, forwarded)) == client


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        (LOAD_BALANCER, "203.0.113.9", "203.0.113.9"),
        (LOAD_BALANCER, "1.2.3.4, 203.0.113.9, 10.0.0.9", "203.0.113.9"),  # two of our proxies in a row
        (LOAD_BALANCER, "niet-een-adres, 203.0.113.9", "203.0.113.9"),
        ("198.51.100.7", "203.0.113.9", "198.51.100.7"),  # not from our network: the header means nothing
        (LOAD_BALANCER, "10.0.0.9, 10.0.0.8", "10.0.0.9"),
    ],
)
def test_trusted_ranges(settings, remote, forwarded, client):
    settings.GROEPSWIJZER_TRUSTED_PROXY_COUNT = 0
    settings.GROEPSWIJZER_TRUSTED_PROXY_RANGES = ["10.0.0.0/8"]
    assert client_ip(request_from(remote, forwarded)) == client


# --- Failed logins behind the load balancer --------------------------------------------------------

LIMITS = {"login_failed": "10/m/ip,5/5m/key,20/h/key,50/d/key", "login_failed_account": "8/h/key"}
TOO_MANY = "Er is te vaak een verkeerd wachtwoord gebruikt"


@pytest.fixture
def behind_the_balancer(settings):
    settings.GROEPSWIJZER_TRUSTED_PROXY_COUNT = 1
    settings.GROEPSWIJZER_TRUSTED_PROXY_RANGES = []
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = LIMITS
    settings.GROEPSWIJZER_STAFF_MFA_REQUIRED = False


@pytest.fixture
def coordinator(db):
    return factories.UserFactory(email="fleur@regiobureau.example", password="het-goede-wachtwoord-1")


def log_in(client, client_address, password, email="fleur@regiobureau.example"):
    return client.post(
        "/account/login/",
        {"login": email, "password": password},
        REMOTE_ADDR=LOAD_BALANCER,
        HTTP_X_FORWARDED_FOR=client_address,
    )


def test_an_attacker_who_knows_the_address_locks_only_themselves_out(client, behind_the_balancer, coordinator):
    for _attempt in range(5):
        assert TOO_MANY not in log_in(client, "203.0.113.66", "geraden").content.decode()
    assert TOO_MANY in log_in(client, "203.0.113.66", "geraden").content.decode()
    # The same wrong password from the same client stays locked, even with the right one.
    assert TOO_MANY in log_in(client, "203.0.113.66", "het-goede-wachtwoord-1").content.decode()

    response = log_in(client, "198.51.100.20", "het-goede-wachtwoord-1")
    assert response.status_code == 302  # the coordinator, at the office, gets in


def test_other_visitors_behind_the_same_balancer_are_not_locked_out(client, behind_the_balancer, coordinator):
    other = factories.UserFactory(email="sanne@example.nl", password="sanne-haar-wachtwoord")
    for attempt in range(12):
        log_in(client, f"203.0.113.{attempt}", "geraden", email="iemand@example.nl")
    response = log_in(client, "198.51.100.21", "sanne-haar-wachtwoord", email=other.email)
    assert response.status_code == 302


def test_many_clients_guessing_one_account_meet_the_slower_account_curve(client, behind_the_balancer, coordinator):
    for attempt in range(8):
        assert TOO_MANY not in log_in(client, f"203.0.113.{attempt}", "geraden").content.decode()
    # After 8 failures from all clients together (the test's curve) the account waits, from everywhere.
    assert TOO_MANY in log_in(client, "203.0.113.99", "geraden").content.decode()


def test_the_default_account_curve_is_out_of_reach_of_one_client():
    limits = {
        action: {rate.split("/")[1]: int(rate.split("/")[0]) for rate in rates.split(",") if rate.endswith("/key")}
        for action, rates in base.ACCOUNT_RATE_LIMITS.items()
    }
    one_client, all_clients = limits["login_failed"], limits["login_failed_account"]
    assert all_clients["h"] > one_client["h"] and all_clients["d"] > one_client["d"]
