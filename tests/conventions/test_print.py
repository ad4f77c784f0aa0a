"""The printable result and the stairwell board copy exist only once there is something to print."""
from datetime import timedelta

from app.clock import utcnow
from app.conventions.services import cast_vote, close_vote
from app.extensions import db


def test_before_the_close_there_is_nothing_to_print(client, login, s3):
    login(s3.residents[0])
    response = client.get(f"/conventions/{s3.convention.id}/result/print")
    assert response.status_code == 302 and response.location.endswith(f"/conventions/{s3.convention.id}")
    assert client.get(f"/conventions/{s3.convention.id}/board").status_code == 404


def test_a_rejected_convention_prints_its_result_but_has_no_board_copy(client, login, s3):
    cast_vote(db.session, s3.residents[0], s3.households[0], s3.convention, "yes", channel="online", now=utcnow())
    s3.clock.set(s3.closes_at + timedelta(minutes=1))
    close_vote(db.session, s3.convention, now=utcnow())
    db.session.commit()
    login(s3.residents[1])
    page = client.get(f"/conventions/{s3.convention.id}/result/print").get_data(as_text=True)
    assert "未通过:投票的户太少(6 户中 1 户)。" in page and "data-print" in page
    assert "楼道小黑板版" not in client.get(f"/conventions/{s3.convention.id}/result").get_data(as_text=True)
    assert client.get(f"/conventions/{s3.convention.id}/board").status_code == 404
    login(s3.outsider)
    assert client.get(f"/conventions/{s3.convention.id}/result/print").status_code == 403
