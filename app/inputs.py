"""What the app accepts from outside, checked in one place: numbers and dates the database can hold, no NUL, bounded nesting.

Every id and counter is an `Integer` column: 32 bits on PostgreSQL (64 on SQLite), so a larger
number can name nothing and must not reach a query (PostgreSQL answers "out of range", SQLite
"Python int too large", both a 500 before this). Dates are bounded to years the app can convert
between Beijing time and UTC without overflowing (year 1 at +08:00 and year 9999 at −05:00 fall
off datetime's range). PostgreSQL refuses a NUL character in text.

Where each is enforced:
- the `int` URL converter (`BoundedIntConverter`, registered as "int" by create_app): a larger
  number matches no route, so it is a 404 like any id that does not exist;
- query strings and forms (`InputRequest`, the app's request class): `get(..., type=int)` beyond
  the range is a 400 with a message; NUL characters are removed from every value (see InputValues);
- JSON bodies: nesting deeper than MAX_DEPTH (or deep enough to exhaust Python's recursion) is a
  400 with a message before any schema sees it;
- command payloads (`unstorable_fields`, called by app.commands.check for every page, API call
  and sync mutation): a number, date or NUL out of bounds is refused field by field.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from flask import Request
from flask_babel import gettext as _
from pydantic import BaseModel
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

# Text PostgreSQL cannot hold: NUL, and lone surrogates (JSON's "\\ud800"), which are not UTF-8.
UNSTORABLE_CHARACTER = re.compile("[\x00\ud800-\udfff]")
INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # PostgreSQL's integer, the type of every id and counter
FIRST_YEAR, LAST_YEAR = 1900, 2999
MAX_DEPTH = 32  # no payload of the app nests more than a few levels


class BadInput(BadRequest):
    """A 400 whose description is a message for the person (the error handlers show it as is)."""


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` in a URL, matching only numbers an Integer column can hold (others are a 404)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,
                 signed: bool = False):
        super().__init__(map, fixed_digits, INT_MIN if min is None else min, INT_MAX if max is None else max, signed)


def bounded_int(value: Any) -> int:
    """`int(value)`, or BadInput when it is beyond what the database holds (ValueError when not a number, as int's)."""
    number = int(value)
    if not INT_MIN <= number <= INT_MAX:
        raise BadInput(_("The number %(value)s is too large.", value=str(value)[:24]))
    return number


def date_in_range(moment: date | datetime) -> bool:
    """Whether a date (or datetime) lies in the years the app stores and converts."""
    return FIRST_YEAR <= moment.year <= LAST_YEAR


def date_out_of_range_message() -> str:
    """The message for a date outside FIRST_YEAR..LAST_YEAR, in the person's language."""
    return _("The date must lie between the years %(first)s and %(last)s.", first=FIRST_YEAR, last=LAST_YEAR)


class InputValues(ImmutableMultiDict):
    """Query-string and form values: NUL characters removed, `type=int` bounded to the database's range.

    NUL is removed rather than refused here: no person types one (it comes from a paste of binary
    junk or a probing client), a form cannot show an error on a field it does not know, and
    removing it in this one place covers every page, search box and form (sign-in included)
    without each having to check. JSON sent by the app's own clients is refused instead
    (unstorable_fields): an outbox item is better refused with a reason than silently altered.
    """

    def __init__(self, mapping=None):
        if mapping is not None:
            mapping = [(_clean(key), _clean(value)) for key, value in MultiDict(mapping).items(multi=True)]
        super().__init__(mapping)

    def get(self, key, default=None, type=None):
        """As MultiDict.get; with type=int, a number beyond the database's range is a 400 (BadInput)."""
        return super().get(key, default, bounded_int if type is int else type)

    def getlist(self, key, type=None):
        """As MultiDict.getlist; with type=int, a number beyond the database's range is a 400 (BadInput)."""
        return super().getlist(key, bounded_int if type is int else type)


def _clean(value: Any) -> Any:
    return value.replace("\x00", "") if isinstance(value, str) and "\x00" in value else value


def too_deep(data: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether JSON data nests lists and objects more than `limit` levels (walked without recursion)."""
    if not isinstance(data, (dict, list)):
        return False
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


class InputRequest(Request):
    """The app's request: bounded, NUL-free query and form values (InputValues) and bounded JSON nesting."""

    parameter_storage_class = InputValues

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any | None:
        """As Flask's, but JSON nested beyond MAX_DEPTH is a 400 with a message, never a RecursionError."""
        try:
            data = super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            raise BadInput(_("What you sent is nested too deeply.")) from None
        if too_deep(data):
            raise BadInput(_("What you sent is nested too deeply."))
        return data


def _fits(value: Any) -> bool:
    """Whether the database can hold `value` and all it holds (unstorable_fields' quick pass)."""
    kind = type(value)
    if kind is str:
        return not UNSTORABLE_CHARACTER.search(value)
    if kind is int:
        return INT_MIN <= value <= INT_MAX
    if value is None or kind is bool or kind is float:
        return True
    if isinstance(value, BaseModel):
        value = value.__dict__.values()
    elif isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    elif isinstance(value, str):  # a str enum
        return not UNSTORABLE_CHARACTER.search(value)
    elif isinstance(value, int) and not isinstance(value, bool):  # an int enum
        return INT_MIN <= value <= INT_MAX
    elif isinstance(value, (date, datetime)):
        return date_in_range(value)
    elif not isinstance(value, (list, tuple, set, frozenset)):
        return True
    return all(map(_fits, value))


def unstorable_fields(payload: BaseModel) -> dict[str, str]:
    """For a checked payload, a message per field whose value the database cannot hold (empty when all fit).

    Numbers beyond the Integer range, dates outside FIRST_YEAR..LAST_YEAR and text with a NUL
    character (or a lone surrogate, which is not UTF-8), at any depth (nested models, lists,
    dicts). Booleans are not numbers here. Every command's payload passes through here (a sync
    batch, 200 of them), so a quick pass without field names comes first (it costs less than
    validating the payload) and the names are only worked out for a payload that fails it.
    """
    if _fits(payload):
        return {}
    found: dict[str, str] = {}
    stack: list[tuple[str, Any]] = [("", payload)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, BaseModel):
            stack.extend((f"{path}.{name}" if path else name, item) for name, item in value)
        elif isinstance(value, str):
            if UNSTORABLE_CHARACTER.search(value):
                found.setdefault(path or "_", _("This text holds a character that cannot be stored (such as NUL)."))
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int):
            if not INT_MIN <= value <= INT_MAX:
                found.setdefault(path or "_", _("This number is too large."))
        elif isinstance(value, (date, datetime)):
            if not date_in_range(value):
                found.setdefault(path or "_", date_out_of_range_message())
        elif isinstance(value, (list, tuple, set, frozenset)):
            stack.extend((f"{path}.{index}" if path else str(index), item) for index, item in enumerate(value))
        elif isinstance(value, dict):
            for key, item in value.items():
                name = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and UNSTORABLE_CHARACTER.search(key):
                    found.setdefault(name, _("This text holds a character that cannot be stored (such as NUL)."))
                stack.append((name, item))
    return found
