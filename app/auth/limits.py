"""How failed sign-ins are limited: per account and address, per account, per address (page and API count together).

Only failures count (a success is never slowed down). With the defaults (app/config.py):
- 10 failures for one account from one address in 5 minutes: that address is refused for that
  account (429), checked before the password, so the guesses stop; another person signing in from
  the same address (a family's wifi, a community office) is not affected;
- 20 failures for one account from any addresses: the account cannot be guessed from many places;
- 100 failures from one address over every account: one address cannot try its way through a
  building, and a real office never fails that often.
The counters are shared by every worker (RATELIMIT_STORAGE_URI, app/ratelimit.py).
"""
from __future__ import annotations

from flask import current_app, request
from flask_limiter.util import get_remote_address

from app.auth.forms import normalise_phone
from app.extensions import limiter


def failed_login(response) -> bool:
    """Only failed attempts count towards the limit (a success redirects or answers 200 JSON)."""
    return response.status_code not in (200, 302, 303) or response.headers.get("X-Login-Failed") == "1"


def attempted_phone() -> str:
    """The number a sign-in attempt is for, as the form or the JSON body gives it (normalised)."""
    if request.is_json:
        body = request.get_json(silent=True)
        phone = body.get("phone") if isinstance(body, dict) else None
    else:
        phone = request.form.get("phone")
    phone = normalise_phone(phone) if isinstance(phone, str) else ""
    return (phone or "-")[:32]


def _account_at_address() -> str:
    return f"{attempted_phone()}@{get_remote_address()}"


def _account() -> str:
    return attempted_phone()


def _rate(name: str):
    return lambda: current_app.config[name]


def limit_sign_ins(view):
    """Put the three sign-in limits on a view (POST only); the page and the API share the counters."""
    for scope, rate, key in (("sign-in:address", "LOGIN_ADDRESS_RATE_LIMIT", get_remote_address),
                             ("sign-in:account", "LOGIN_ACCOUNT_RATE_LIMIT", _account),
                             ("sign-in:account-address", "LOGIN_RATE_LIMIT", _account_at_address)):
        view = limiter.shared_limit(_rate(rate), scope=scope, key_func=key, methods=["POST"],
                                    deduct_when=failed_login)(view)
    return view
