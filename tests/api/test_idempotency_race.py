"""Two copies of one creating request at the same moment create one record."""

import threading

import pytest
from django.db import connection

from api import tokens
from crm.models import Contact
from tests.api.conftest import TokenClient

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_simultaneous_posts_with_one_key_create_one_contact(agent):
    _row, token = tokens.token_create(user=agent, name="race", scope="write")
    answers = []
    start = threading.Barrier(2)

    def post():
        try:
            start.wait()
            response = TokenClient(token).post(
                "/api/contacts", {"full_name": "Raced"}, headers={"Idempotency-Key": "k1"}
            )
            answers.append((response.status_code, response.json()["id"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Contact.objects.filter(full_name="Raced").count() == 1
    assert [status for status, _id in answers] == [201, 201]
    assert answers[0][1] == answers[1][1]
