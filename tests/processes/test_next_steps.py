"""A record page's Next steps card lists the waiting steps its Process button opens."""

import pytest
from django.test import Client

from tests.activities.factories import one_step_process, start, waiting_step
from tests.crm.factories import make_account, make_contact

pytestmark = pytest.mark.django_db(transaction=True)

BACKGROUND = 'flowdesk:page="question" flowdesk:answers="Yes;No" flowdesk:background="true"'


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_next_steps_card_shows_the_steps_the_process_button_lists(agent, other_agent):
    maria = make_contact("Maria Anders")
    first = waiting_step(
        start(one_step_process("one", BACKGROUND, name="Renewal"), user=agent, record=maria)
    )
    second = waiting_step(
        start(one_step_process("two", BACKGROUND, name="Survey"), user=other_agent, record=maria)
    )

    body = signed_in(agent).get(maria.get_absolute_url()).content.decode()

    card = body[body.index('id="action-panel"') :]
    card = card[: card.index("</section>")]
    assert "Process steps for this contact appear here." not in card
    assert "2 waiting" in card
    for step, process, owner in (
        (first, "Renewal", "Bob Agent"),
        (second, "Survey", "Carol Agent"),
    ):
        assert f'data-step-key="{step.instance_id}-{step.number}"' in card
        assert process in card and f"for {owner}" in card
    assert 'id="process-button"' in body and '<span class="count">2</span>' in body


def test_a_record_without_waiting_steps_says_so(agent):
    account = make_account("Globex")
    body = signed_in(agent).get(account.get_absolute_url()).content.decode()
    assert "Process steps for this account appear here." in body
    assert 'id="process-next-steps"' not in body
