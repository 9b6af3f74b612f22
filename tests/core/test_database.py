"""Database helpers the hot paths use: rows that must exist once, and plain-row queries."""

from sqlalchemy import select

from qualify.accounts.models import Unit, UserRole
from qualify.core.database import in_german_order, insert_unless_present, run
from qualify.extensions import db


def test_a_row_that_must_exist_once_is_inserted_once(make_user):
    user = make_user()
    assert insert_unless_present(UserRole, user_id=user.id, role="moderator") is True
    assert insert_unless_present(UserRole, user_id=user.id, role="moderator") is False
    db.session.commit()
    assert db.session.scalars(select(UserRole.role).where(UserRole.user_id == user.id)).all().count("moderator") == 1


def test_plain_rows_include_what_this_request_has_not_flushed_yet(make_user):
    user = make_user()
    db.session.add(UserRole(user_id=user.id, role="trainer"))  # pending, not flushed
    roles = run(select(UserRole.role).where(UserRole.user_id == user.id)).scalars().all()
    assert "trainer" in roles


def test_the_database_sorts_names_as_a_german_dictionary_does(make_organisation):
    # By code point Ä, Ö and Ü come after Z, and small letters after every capital one.
    names = ["Zimmermann", "Özdemir", "Paul", "otto", "Ärger", "Arbeit", "Straße", "Strasse", "Abc", "abc"]
    firm = make_organisation(units=names)
    in_order = select(Unit.name).where(Unit.organisation_id == firm.id).order_by(in_german_order(Unit.name))
    assert db.session.scalars(in_order).all() == [
        "abc", "Abc", "Arbeit", "Ärger", "otto", "Özdemir", "Paul", "Strasse", "Straße", "Zimmermann"]
