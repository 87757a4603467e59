import pytest
from django.urls import reverse

from tests.crm.factories import make_account, make_contact, make_contacts

pytestmark = pytest.mark.django_db


def test_the_contact_list_shows_25_contacts_a_page_with_real_links(client, agent):
    make_contacts(30)
    client.force_login(agent)
    page1 = client.get(reverse("crm:contact-list")).content.decode()
    assert page1.count('class="cell-primary"') == 25
    assert "Contact 000" in page1 and "Contact 025" not in page1
    assert 'href="?page=2"' in page1
    page2 = client.get(reverse("crm:contact-list"), {"page": 2}).content.decode()
    assert page2.count('class="cell-primary"') == 5
    assert "Contact 029" in page2


def test_searching_contacts_matches_name_email_and_account(client, agent):
    acme = make_account("Acme Corporation")
    make_contact("Ana Trujillo", account=acme)
    make_contact("Thomas Hardy", email="thomas@hardy.example")
    client.force_login(agent)
    html = client.get(reverse("crm:contact-list"), {"q": "acme"}).content.decode()
    assert "Ana Trujillo" in html and "Thomas Hardy" not in html
    html = client.get(reverse("crm:contact-list"), {"q": "hardy.example"}).content.decode()
    assert "Thomas Hardy" in html and "Ana Trujillo" not in html


def test_my_contacts_shows_only_contacts_the_user_owns(client, agent, other_agent):
    make_contact("Owned By Bob", owner=agent)
    make_contact("Owned By Carol", owner=other_agent)
    client.force_login(agent)
    html = client.get(reverse("crm:contact-list"), {"owner": "mine"}).content.decode()
    assert "Owned By Bob" in html and "Owned By Carol" not in html


def test_the_account_filter_narrows_contacts_to_one_account(client, agent):
    acme = make_account("Acme Corporation")
    globex = make_account("Globex")
    make_contact("At Acme", account=acme)
    make_contact("At Globex", account=globex)
    client.force_login(agent)
    html = client.get(reverse("crm:contact-list"), {"account": acme.pk}).content.decode()
    assert "At Acme" in html and "At Globex" not in html


def test_sorting_by_a_column_header_reverses_on_the_second_click(client, agent):
    make_contact("Alpha", email="z@example.com")
    make_contact("Omega", email="a@example.com")
    client.force_login(agent)
    html = client.get(reverse("crm:contact-list"), {"sort": "email"}).content.decode()
    assert html.index("Omega") < html.index("Alpha")
    assert "sort=-email" in html
    html = client.get(reverse("crm:contact-list"), {"sort": "-email"}).content.decode()
    assert html.index("Alpha") < html.index("Omega")


def test_an_unknown_sort_falls_back_to_name(client, agent):
    make_contact("Beta")
    make_contact("Alpha")
    client.force_login(agent)
    html = client.get(reverse("crm:contact-list"), {"sort": "password"}).content.decode()
    assert html.index("Alpha") < html.index("Beta")


def test_an_htmx_request_gets_only_the_table_fragment_and_varies_on_it(client, agent):
    make_contact("Ana Trujillo")
    client.force_login(agent)
    response = client.get(reverse("crm:contact-list"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="contact-table"')
    assert "<html" not in html and "Ana Trujillo" in html
    assert "HX-Request" in response.headers["Vary"]
    full = client.get(reverse("crm:contact-list"))
    assert "HX-Request" in full.headers["Vary"]
    assert b"<html" in full.content


def test_an_htmx_history_restore_gets_the_whole_page(client, agent):
    client.force_login(agent)
    response = client.get(
        reverse("crm:contact-list"),
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert b"<html" in response.content


@pytest.mark.parametrize("rows", [5, 50])
def test_the_contact_list_query_count_does_not_grow_with_rows(
    client, agent, django_assert_num_queries, rows
):
    account = make_account("Acme Corporation", owner=agent)
    make_contacts(rows, account=account, owner=agent)
    client.force_login(agent)
    client.get(reverse("crm:contact-list"))  # warm the session and content types
    # session, user, portal check, user's groups (role), count, page, account filter,
    # panel counter + list, the panel's business process tasks
    with django_assert_num_queries(10):
        response = client.get(reverse("crm:contact-list"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [5, 50])
def test_the_account_list_query_count_does_not_grow_with_rows(
    client, agent, django_assert_num_queries, rows
):
    for i in range(rows):
        account = make_account(f"Account {i:03d}", owner=agent)
        make_contact(f"Person {i}", account=account)
    client.force_login(agent)
    # + the portal check and the panel's business process tasks
    with django_assert_num_queries(9):
        response = client.get(reverse("crm:account-list"))
    assert response.status_code == 200
    assert "Account 000" in response.content.decode()


def test_the_account_list_counts_contacts_and_searches(client, agent):
    acme = make_account("Acme Corporation", industry="Manufacturing", city="Berlin")
    make_account("Globex", city="Springfield")
    make_contacts(3, account=acme)
    client.force_login(agent)
    html = client.get(reverse("crm:account-list"), {"q": "berlin"}).content.decode()
    assert "Acme Corporation" in html and "Globex" not in html
    assert '<td class="num">3</td>' in html


def test_the_contact_page_shows_its_profile_account_and_action_panel(client, agent):
    acme = make_account("Acme Corporation")
    contact = make_contact(
        "Ana Trujillo", email="ana@example.com", job_title="Owner", account=acme, owner=agent
    )
    client.force_login(agent)
    html = client.get(contact.get_absolute_url()).content.decode()
    assert "Ana Trujillo" in html and "ana@example.com" in html
    assert f'href="{acme.get_absolute_url()}"' in html
    assert 'id="action-panel"' in html
    assert f'href="{reverse("crm:contact-edit", args=[contact.pk])}"' in html


def test_the_account_page_lists_its_contacts(client, agent):
    acme = make_account("Acme Corporation")
    make_contact("Ana Trujillo", account=acme)
    client.force_login(agent)
    html = client.get(acme.get_absolute_url()).content.decode()
    assert "Ana Trujillo" in html and 'id="action-panel"' in html


def test_a_missing_contact_is_a_404(client, agent):
    client.force_login(agent)
    assert client.get(reverse("crm:contact-detail", args=[424242])).status_code == 404
