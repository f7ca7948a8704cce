"""The NOC board socket's coalescing: events sent already encoded (as the product sends them) and as plain lists
reach the board together, in order, as one JSON message."""

import asyncio
import json

import pytest
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from monitoring.consumers import events_fragment
from monitoring.services import NOC_GROUP
from tests.accounts.factories import sign_in


def test_an_events_fragment_is_the_inside_of_the_array():
    assert (
        events_fragment({"events_json": json.dumps([{"device": 1}, {"device": 2}])}) == '{"device": 1}, {"device": 2}'
    )
    assert events_fragment({"events": [{"device": 3}]}) == '{"device": 3}'
    assert events_fragment({"events_json": "[]"}) == ""
    assert events_fragment({}) == ""


@pytest.mark.django_db(transaction=True)
def test_the_board_gets_encoded_and_plain_events_in_one_message(noc_user):
    from serverstock.asgi import application

    session = sign_in(Client(), noc_user).cookies[settings.SESSION_COOKIE_NAME].value
    headers = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1"),
               (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session}".encode())]  # fmt: skip

    async def scenario():
        socket = WebsocketCommunicator(application, "/ws/noc/", headers=headers)
        connected, _ = await socket.connect()
        assert connected
        assert (await socket.receive_json_from(timeout=5))["type"] == "hello"
        layer = get_channel_layer()
        encoded = json.dumps([{"device": 1, "status": "down"}, {"device": 2, "status": "down"}])
        await layer.group_send(NOC_GROUP, {"type": "monitoring.events", "events_json": encoded})
        await layer.group_send(NOC_GROUP, {"type": "monitoring.events", "events_json": "[]"})
        await layer.group_send(NOC_GROUP, {"type": "monitoring.events", "events": [{"device": 3, "status": "up"}]})
        try:
            text = await socket.receive_from(timeout=5)
            assert await socket.receive_nothing(timeout=0.5)
        finally:
            await socket.disconnect()
        return text

    message = json.loads(asyncio.run(scenario()))
    assert message == {
        "type": "events",
        "events": [{"device": 1, "status": "down"}, {"device": 2, "status": "down"}, {"device": 3, "status": "up"}],
    }
