import pytest
from django.urls import reverse

from crm.models import Account, Contact
from tests.crm.factories import make_account, make_contact

pytestmark = pytest.mark.django_db


def test_new_contact_creates_it_owned_by_the_creator_and_opens_it(client, agent):
    acme = make_account("Acme Corporation")
    client.force_login(agent)
    response = client.post(
        reverse("crm:contact-create"),
        {
            "full_name": "Ana Trujillo",
            "email": "ana@example.com",
            "account": acme.pk,
            "owner": agent.pk,
        },
    )
    contact = Contact.objects.get()
    assert response.status_code == 302 and response.url == contact.get_absolute_url()
    assert contact.owner == agent and contact.account == acme
    assert "Ana Trujillo" in client.get(response.url).content.decode()


def test_new_contact_from_an_account_page_preselects_the_account(client, agent):
    acme = make_account("Acme Corporation")
    client.force_login(agent)
    html = client.get(reverse("crm:contact-create"), {"account": acme.pk}).content.decode()
    assert f'<option value="{acme.pk}" selected>' in html


def test_a_contact_form_with_errors_says_which_field_and_keeps_the_input(client, agent):
    client.force_login(agent)
    response = client.post(
        reverse("crm:contact-create"),
        {"full_name": "", "email": "not-an-email", "phone": "+49 30 1234", "notes": "Kept"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="form-errors"' in html and "Please correct the 2 fields" in html
    assert "This field is required." in html
    assert "Enter a valid email address." in html
    assert 'value="+49 30 1234"' in html and 'value="not-an-email"' in html
    assert "Kept</textarea>" in html
    assert 'aria-invalid="true"' in html
    assert not Contact.objects.exists()


def test_editing_a_contact_saves_the_fields_and_returns_to_it(client, agent):
    contact = make_contact("Ana Trujillo", email="ana@example.com")
    client.force_login(agent)
    url = reverse("crm:contact-edit", args=[contact.pk])
    assert 'value="Ana Trujillo"' in client.get(url).content.decode()
    response = client.post(
        url, {"full_name": "Ana Trujillo-Moreno", "email": "ana@example.com", "job_title": "CEO"}
    )
    assert response.url == contact.get_absolute_url()
    contact.refresh_from_db()
    assert contact.full_name == "Ana Trujillo-Moreno" and contact.job_title == "CEO"
    assert b"Contact saved." in client.get(response.url).content


def test_editing_an_account_with_a_duplicate_name_explains_the_error(client, agent):
    make_account("Acme Corporation")
    globex = make_account("Globex")
    client.force_login(agent)
    response = client.post(
        reverse("crm:account-edit", args=[globex.pk]), {"name": "Acme Corporation"}
    )
    assert response.status_code == 200
    assert b"Account with this Name already exists." in response.content
    assert Account.objects.get(pk=globex.pk).name == "Globex"


def test_editing_an_account_saves_it(client, agent):
    globex = make_account("Globex")
    client.force_login(agent)
    response = client.post(
        reverse("crm:account-edit", args=[globex.pk]),
        {"name": "Globex Corporation", "web": "https://globex.example", "city": "Springfield"},
    )
    assert response.url == globex.get_absolute_url()
    globex.refresh_from_db()
    assert globex.name == "Globex Corporation" and globex.city == "Springfield"


def test_new_account_creates_it(client, agent):
    client.force_login(agent)
    response = client.post(reverse("crm:account-create"), {"name": "Initech"})
    account = Account.objects.get(name="Initech")
    assert response.url == account.get_absolute_url() and account.owner == agent


def test_edit_only_follows_a_next_url_on_this_site(client, agent):
    contact = make_contact("Ana Trujillo")
    client.force_login(agent)
    response = client.post(
        reverse("crm:contact-edit", args=[contact.pk]) + "?next=https://evil.example/",
        {"full_name": "Ana"},
    )
    assert response.url == contact.get_absolute_url()
