import pytest
from app.models import Role

def test_smoke(client, login, make_building, make_user):
    b = make_building("6号楼")
    staff = make_user(Role.STAFF, b.community)
    login(staff)
    r = client.get("/reports/?month=2026-08")
    print(r.status_code, r.get_data(as_text=True)[:3000])
    assert r.status_code == 200
    r = client.get("/reports/problems?figure=received")
    assert r.status_code == 200, r.get_data(as_text=True)
