"""API tests: a client that sends a personal token, as another system would."""

import json

import pytest
from django.apps import apps
from django.test import Client

from api import tokens
from cases.defaults import load_defaults


class TokenClient:
    """Calls /api/ with `Authorization: Bearer <token>` and JSON bodies."""

    def __init__(self, token=None):
        self.client = Client()
        self.token = token

    def _headers(self, headers):
        out = dict(headers or {})
        if self.token:
            out["Authorization"] = f"Bearer {self.token}"
        return out

    def get(self, path, params=None, headers=None):
        return self.client.get(path, params or {}, headers=self._headers(headers))

    def send(self, method, path, body=None, headers=None):
        return self.client.generic(
            method,
            path,
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            headers=self._headers(headers),
        )

    def post(self, path, body=None, headers=None):
        return self.send("POST", path, body, headers)

    def put(self, path, body=None, headers=None):
        return self.send("PUT", path, body, headers)

    def patch(self, path, body=None, headers=None):
        return self.send("PATCH", path, body, headers)


@pytest.fixture
def token_client():
    def make(user, scope="write", **kwargs):
        _row, token = tokens.token_create(user=user, name="test", scope=scope, **kwargs)
        return TokenClient(token)

    return make


@pytest.fixture
def default_lookups(db):
    """The case statuses and lookups of the data migration (a transactional test flushes them)."""
    load_defaults(apps)
