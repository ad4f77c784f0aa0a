"""The one rule for new passwords, in the person's language."""
import pytest
from flask_babel import force_locale

from app.auth.passwords import password_problem


@pytest.mark.parametrize("password", ["48213975", "桂兰的密码2026", "Fangzhuang-6-302"])
def test_good_enough(app, password):
    with app.test_request_context():
        assert password_problem(password, phone="13900000001") is None


@pytest.mark.parametrize(("password", "words"), [
    ("1234567", "至少输入 8 个字符"),
    ("13900000001", "不要用手机号"),
    ("x13900000001y", "不要用手机号"),
    ("88888888", "太容易被猜到"),
    ("12345678", "太容易被猜到"),
    ("87654321", "太容易被猜到"),
    ("qwertyui", "太容易被猜到"),
    ("Password", "太容易被猜到"),
    ("1qaz2wsx", "太容易被猜到"),
])
def test_refused_with_a_reason_in_chinese(app, password, words):
    with app.test_request_context(), force_locale("zh_CN"):
        assert words in str(password_problem(password, phone="13900000001"))
