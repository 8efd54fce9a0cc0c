"""Webhooks never reach private, loopback, link-local, multicast or reserved addresses."""

from __future__ import annotations

import pytest

from truedesk.cases.actions import open_case
from truedesk.channels.webhooks import actions
from truedesk.channels.webhooks.addresses import parse_networks, parse_url, resolve
from truedesk.channels.webhooks.errors import BlockedAddress, InvalidWebhook
from truedesk.channels.webhooks.models import AllowedNetwork, WebhookDelivery, WebhookEndpoint
from truedesk.channels.webhooks.signing import generate_secret

pytestmark = pytest.mark.django_db

BLOCKED_URLS = [
    "http://10.1.2.3/hook",
    "http://127.0.0.1:8080/hook",
    "http://127.8.9.10/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]:8080/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[fe80::1]/hook",
    "http://192.168.1.20/hook",
    "http://172.16.0.1/hook",
    "http://100.64.0.1/hook",
    "http://224.0.0.1/hook",
    "http://240.0.0.1/hook",
    "http://0.0.0.0/hook",
    "http://localhost:8080/hook",
    # Other spellings of 127.0.0.1: decimal, octal, hexadecimal, short form.
    "http://2130706433/hook",
    "http://0177.0.0.1/hook",
    "http://0x7f000001/hook",
    "http://127.1/hook",
    # IPv6 ways into IPv4 and site networks: 6to4 wrapping loopback and the
    # metadata service, IPv4-mapped metadata, deprecated site-local.
    "http://[2002:7f00:1::1]/hook",
    "http://[2002:a9fe:a9fe::1]/hook",
    "http://[::ffff:169.254.169.254]/latest/meta-data/",
    "http://[fec0::1]/hook",
]


@pytest.mark.parametrize("url", BLOCKED_URLS)
def test_subscribing_an_internal_address_is_refused(grace, url):
    with pytest.raises(BlockedAddress):
        actions.create_webhook(acting_user=grace, url=url)
    assert not WebhookEndpoint.objects.exists()


def test_a_public_address_is_accepted(grace):
    endpoint, secret = actions.create_webhook(acting_user=grace, url="https://93.184.215.14/hook")
    assert endpoint.url == "https://93.184.215.14/hook"
    assert secret.startswith("whsec_") and len(secret) > 40


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "http:///nohost", "https://user:pw@example.com/", "not a url"]
)
def test_urls_that_are_not_plain_http_are_refused(grace, url):
    with pytest.raises(InvalidWebhook):
        actions.create_webhook(acting_user=grace, url=url)


def test_a_host_name_resolving_to_loopback_is_refused():
    with pytest.raises(BlockedAddress):
        resolve(parse_url("http://localhost/hook"), [])


def test_the_allow_list_opens_exactly_its_network():
    allowed = parse_networks(["127.0.0.1/32"])
    assert str(resolve(parse_url("http://127.0.0.1:9/hook"), allowed)) == "127.0.0.1"
    with pytest.raises(BlockedAddress):
        resolve(parse_url("http://127.0.0.2:9/hook"), allowed)
    with pytest.raises(BlockedAddress):
        resolve(parse_url("http://10.0.0.1/hook"), allowed)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_each_attempt_checks_the_address_again(world, grace, receiver, dispatcher, host):
    """Allowed when subscribed, blocked when sent: the request never leaves."""
    allowance = AllowedNetwork.objects.create(network="127.0.0.1/32")
    endpoint = WebhookEndpoint.objects.create(
        url=f"http://{host}:{receiver.port}/hook", secret=generate_secret()
    )
    allowance.delete()
    open_case(acting_user=world.alice, customer=world.dave, subject="Hi", body="Hello",
              channel="desk")  # fmt: skip

    dispatcher.run_pass()
    dispatcher.finish()

    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.attempts == 1
    assert delivery.last_error.startswith("blocked_address")
    assert receiver.requests == []
