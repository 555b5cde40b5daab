"""Expiry handling tested against a real authd whose clock the test moves.

This is the pytest example of docs/testing.md, and CI runs it as it is
(.ci/run) against the built binary:

    AUTH_DEV_CLOCK=true AUTH_DEV_CLOCK_TOKEN=$SECRET authd &
    AUTHD_URL=http://127.0.0.1:5000 AUTHD_CLOCK_TOKEN=$SECRET pytest docs/testing

It uses only the standard library, so a client team can copy it next to
its own tests and replace `call` with their client.
"""
import json
import os
import urllib.error
import urllib.request

import pytest

BASE = os.environ.get("AUTHD_URL", "http://127.0.0.1:5000")
CLOCK_TOKEN = os.environ.get("AUTHD_CLOCK_TOKEN", "")


def call(method, path, body=None, token=None):
    """Send a request; return the status and the decoded JSON body."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            raw = res.read()
            return res.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as err:
        raw = err.read()
        return err.code, json.loads(raw) if raw else None


def clock(change):
    """Move authd's development clock: {"set": ...}, {"advance": "60s"}."""
    status, body = call("POST", "/dev/clock/", change, CLOCK_TOKEN)
    assert status == 200, body
    return body


@pytest.fixture
def frozen_clock():
    """Freeze the server clock at a whole second for the test."""
    clock({"set": "2030-01-01T00:00:00Z"})
    yield
    clock({"release": True})


def test_access_token_expires_after_one_minute_and_refresh_recovers(frozen_clock):
    status, pair = call("POST", "/login/", {"username": "minsu", "password": "1229"})
    assert status == 200, pair
    assert pair["expires_in"] == 60

    clock({"advance": "59.999s"})
    status, _ = call("GET", "/protected/", token=pair["access"])
    assert status == 200

    clock({"advance": "1ms"})
    status, body = call("GET", "/protected/", token=pair["access"])
    assert status == 401
    assert body["error"] == "token_expired"

    status, fresh = call("POST", "/refresh/", {"refresh": pair["refresh"]})
    assert status == 200, fresh
    status, body = call("GET", "/protected/", token=fresh["access"])
    assert status == 200
    assert body["user"]["username"] == "minsu"


def test_reused_refresh_token_ends_the_session(frozen_clock):
    _, pair = call("POST", "/login/", {"username": "chulsu", "password": "1234"})
    _, fresh = call("POST", "/refresh/", {"refresh": pair["refresh"]})
    status, body = call("POST", "/refresh/", {"refresh": pair["refresh"]})
    assert (status, body["error"]) == (401, "refresh_token_reused")
    status, body = call("GET", "/protected/", token=fresh["access"])
    assert (status, body["error"]) == (401, "session_revoked")


def test_the_clock_needs_its_token():
    if not CLOCK_TOKEN:
        pytest.skip("authd runs without AUTH_DEV_CLOCK_TOKEN")
    status, body = call("POST", "/dev/clock/", {"advance": "25h"})
    assert (status, body["error"]) == (401, "token_missing")
