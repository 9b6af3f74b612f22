"""Journey: an administrator finds a person in the list and opens their account."""

from playwright.sync_api import expect

from qualify.accounts.roles import Role


def test_admin_opens_the_user_list_and_a_persons_account(page, make_user, make_organisation, sign_in,
                                                         assert_accessible):
    organisation = make_organisation("Muster Antriebstechnik GmbH")
    admin = make_user(Role.ADMIN)
    person = make_user(Role.WORKS_COUNCIL, Role.LEARNER, name="Bernd Betriebsrat", organisation=organisation,
                       unit=organisation.units[0])
    sign_in(page, admin)

    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Verwaltung").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verwaltung")
    row = page.get_by_role("row").filter(has_text="Bernd Betriebsrat")
    expect(row).to_contain_text("Muster Antriebstechnik GmbH")
    expect(row).to_contain_text("Betriebsrat")
    assert_accessible(page)

    row.get_by_role("link", name="Bernd Betriebsrat").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bernd Betriebsrat")
    expect(page.get_by_label("E-Mail-Adresse")).to_have_value(person.email)
    expect(page.get_by_role("checkbox", name="Betriebsrat")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Administration")).not_to_be_checked()
    expect(page.get_by_role("button", name="Konto deaktivieren")).to_be_visible()
    assert_accessible(page)
