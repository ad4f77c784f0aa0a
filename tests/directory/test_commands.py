"""The directory's commands: bad input refused on its field with nothing changed; staff accounts; the order."""
from __future__ import annotations

import pytest

from app.clock import utcnow
from app.commands import Context, Refused, execute
from app.directory.queries import directory
from app.extensions import db
from app.models import Role
from tests.conftest import csrf_from
from tests.directory.conftest import entries_snapshot, entry_named


def run(user, name, payload):
    """Run a directory command as `user` and commit, as a page does."""
    result = execute(name, Context(session=db.session, user=user, now=utcnow()), payload)
    db.session.commit()
    return result


@pytest.mark.parametrize(("payload", "field"), [
    ({"kind": "legal", "name": "刘律师", "phone": "call me"}, "phone"),
    ({"kind": "legal", "name": "刘律师", "phone": "12"}, "phone"),
    ({"kind": "legal", "name": "  ", "phone": "12345"}, "name"),
    ({"kind": "staff", "user_id": -1}, "user_id"),
    ({"kind": "nonsense", "name": "x", "phone": "12345"}, "kind"),
    ({"kind": "other", "name": "x" * 51, "phone": "12345"}, "name"),
])
def test_bad_input_is_refused_on_its_field(six, payload, field):
    before = entries_snapshot(six["building"].id)
    with pytest.raises(Refused) as refused:
        run(six["staff"], "directory.add", {"building_id": six["building"].id, **payload})
    db.session.rollback()
    assert field in refused.value.fields
    assert entries_snapshot(six["building"].id) == before


def test_the_staff_in_charge_must_be_staff_of_this_community(six):
    with pytest.raises(Refused) as refused:
        run(six["staff"], "directory.add", {"building_id": six["building"].id, "kind": "staff",
                                            "user_id": six["other_staff"].id})
    assert refused.value.fields["user_id"] == "请选择本社区的一位社区工作者。"
    db.session.rollback()
    with pytest.raises(Refused):  # a resident is no staff account either
        run(six["staff"], "directory.add", {"building_id": six["building"].id, "kind": "staff",
                                            "user_id": six["resident"].id})


def test_a_picked_account_needs_no_typed_name_or_number(six, make_user):
    colleague = make_user(Role.STAFF, six["building"].community, name="赵社工", phone="13822223333")
    run(six["staff"], "directory.add", {"building_id": six["building"].id, "kind": "staff", "user_id": colleague.id,
                                        "name": "ignored", "phone": "ignored"})
    shown = directory(db.session, six["building"])
    assert (shown[-1].name, shown[-1].phone, shown[-1].label) == ("赵社工", "13822223333", "包楼居干")


def test_order_moves_one_place_and_stops_at_the_ends(six):
    legal = entry_named("刘律师")
    names = lambda: [c.name for c in directory(db.session, six["building"]) if c.entry_id]  # noqa: E731
    assert names() == ["钱书记", "刘律师", "北京市民热线"]
    assert run(six["staff"], "directory.move", {"entry_id": legal.id, "direction": "up"})["moved"] is True
    assert names() == ["刘律师", "钱书记", "北京市民热线"]
    assert run(six["staff"], "directory.move", {"entry_id": legal.id, "direction": "up"})["moved"] is False
    assert names() == ["刘律师", "钱书记", "北京市民热线"]
    run(six["staff"], "directory.move", {"entry_id": entry_named("北京市民热线").id, "direction": "down"})
    assert names() == ["刘律师", "钱书记", "北京市民热线"]
    new = run(six["staff"], "directory.add", {"building_id": six["building"].id, "kind": "hotline",
                                              "label": "供暖", "name": "供暖热线", "phone": "96069"})
    assert names()[-1] == "供暖热线" and new["building_id"] == six["building"].id


def test_the_form_shows_a_refusal_on_its_field(client, login, six):
    token = login(six["staff"])
    before = entries_snapshot(six["building"].id)
    response = client.post(f"/directory/buildings/{six['building'].id}/new",
                           data={"kind": "legal", "name": "刘律师", "phone": "打电话", "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="phone-error"' in html and "请填写电话号码" in html
    assert entries_snapshot(six["building"].id) == before


def test_staff_edit_an_entry_through_its_form(client, login, six):
    login(six["staff"])
    legal = entry_named("刘律师")
    page = client.get(f"/directory/entries/{legal.id}/edit").get_data(as_text=True)
    assert 'value="刘律师"' in page and 'value="010-67610012"' in page
    response = client.post(f"/directory/entries/{legal.id}/edit", data={
        "kind": "legal", "name": "刘律师", "phone": "010-67610099", "label": "法律顾问", "user_id": "",
        "csrf_token": csrf_from(page)}, follow_redirects=True)
    assert "已保存。" in response.get_data(as_text=True)
    assert (entry_named("刘律师").label, entry_named("刘律师").phone) == ("法律顾问", "010-67610099")
    assert "tel:01067610099" in response.get_data(as_text=True)
