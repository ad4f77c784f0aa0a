"""Model-level rules: passwords, labels, change numbers, UTC times."""
from datetime import UTC, datetime

import pytest

from app.extensions import db
from app.models import Household, User


def test_password_is_hashed_with_scrypt(make_user):
    user = make_user()
    assert user.password_hash.startswith("scrypt:")
    assert "correct-horse-9" not in user.password_hash
    assert user.check_password("correct-horse-9")
    assert not user.check_password("correct-horse-8")


def test_household_label_never_shows_a_phone(make_building, make_household):
    household = make_household(make_building("6号楼"), unit="2门", room="2103", contact_phone="13912345678")
    assert household.label == "6号楼 2门 2103"


def test_every_write_to_a_synced_row_takes_a_higher_change_number(make_household):
    first = make_household()
    second = make_household(first.building)
    assert 0 < first.change_seq < second.change_seq
    before = first.change_seq
    first.notes = "独居老人,每周看望"
    db.session.commit()
    assert first.change_seq > second.change_seq > before


def test_unchanged_rows_keep_their_change_number(make_household):
    household = make_household()
    seq = household.change_seq
    household.notes = household.notes  # no real change
    db.session.commit()
    assert db.session.get(Household, household.id).change_seq == seq


def test_times_come_back_as_utc(make_user, frozen_clock):
    user = make_user()
    db.session.expire_all()
    stored = db.session.get(User, user.id).created_at
    assert stored == frozen_clock.now and stored.tzinfo is not None


def test_naive_datetimes_are_refused(make_user):
    user = make_user()
    user.last_login_at = datetime(2026, 1, 1)
    with pytest.raises(Exception, match="naive"):
        db.session.commit()
    db.session.rollback()
    user.last_login_at = datetime(2026, 1, 1, tzinfo=UTC)
    db.session.commit()
