"""Rendered pieces of the problem pages, kept in memory between requests (one cache per worker process).

A list of 50 cards costs ~7 ms to load and render and changes far less often than it is read.
Each piece is stored under everything that decides its HTML — for a card list: the language, and
for each card the problem's id and change number, its household's change number and its building's
name — so a write shows on the next request without anyone clearing anything: every write to a
problem (a new timeline step, a status, an attachment linked in the same transaction) gives it a
new change number (app/models/base.py), the number the sync engine sends changes by.

What the key cannot hold is the time. A card's answer clock reads "due in 3.5 h" and turns overdue
when the deadline passes, so each piece also keeps the moment its clocks would next read differently
(`clock_changes_at`) and is rendered again from then on.

Only pieces that read the same for everyone who may open the page are kept here, and their keys are
built here, from what the page read: the card lists, a problem's record (staff-only notes: whether
they are shown is part of the key) and the queue's filter. Whatever depends on the person (the forms
with their CSRF token, the actions they may take) is rendered per request. The page's own
permission check always runs first.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from datetime import datetime, timedelta
from typing import Any

from flask_babel import get_locale
from markupsafe import Markup

from app.problems.models import Problem

# A safety margin before the clock's next change, against float rounding at the boundary.
MARGIN = timedelta(seconds=1)
# Even a piece whose key still matches is rendered again after this long: a name edited in the
# admin pages (a building's, a department's) does not change the key of the cards printing it.
MAX_AGE = timedelta(minutes=10)


class TimedCache:
    """A small least-recently-used map of key → (value, valid until), safe across threads.

    Here rendered HTML; the desk's counts and cards too (app/problems/desk.py).
    """

    def __init__(self, size: int = 256):
        self.size = size
        self._items: OrderedDict[Hashable, tuple[Any, datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, now: datetime) -> Any:
        """The value stored under `key`, or None when it is missing or its time is up."""
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            if now >= found[1]:
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: Hashable, value: Any, valid_until: datetime) -> None:
        """Keep `value` under `key` until `valid_until`, dropping the least recently used beyond `size`."""
        with self._lock:
            self._items[key] = (value, valid_until)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget everything (tests)."""
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


pieces = TimedCache()


def clock_changes_at(problem: Problem, now: datetime) -> datetime | None:
    """When the answer clock templates/problems/_macros.html prints for `problem` next reads differently.

    None when it never will by time alone: an answered problem reads "Answered …" and an overdue
    one "Overdue …" until a write changes them (and with them the problem's change number).
    Otherwise the clock prints the hours left rounded to 0.1 h, which changes when the hours left
    fall below the rounded value minus 0.05, and turns overdue at the deadline.
    """
    if problem.first_response_at is not None or problem.is_overdue(now):
        return None
    left = (problem.feedback_due_at - now).total_seconds() / 3600
    shown = round(left, 1)  # what Jinja's round(1) prints
    next_change = now + timedelta(hours=left - (shown - 0.05))
    return min(next_change, problem.feedback_due_at) - MARGIN


def valid_until(problems: Iterable[Problem], now: datetime) -> datetime:
    """How long a piece printing these problems' clocks reads the same (at most MAX_AGE)."""
    changes = [at for at in (clock_changes_at(p, now) for p in problems) if at is not None]
    return min([now + MAX_AGE, *changes])


def cached(key: Hashable, now: datetime, render: Callable[[], tuple[str, Iterable[Problem]]]) -> Markup:
    """The piece stored under `key`, or `render()`'s (HTML, problems it prints) kept for next time."""
    html = pieces.get(key, now)
    if html is None:
        text, problems = render()
        html = Markup(text)  # noqa: S704 — rendered by Jinja, autoescaped
        pieces.put(key, html, valid_until(problems, now))
    return html


Render = Callable[[], tuple[str, Iterable[Problem]]]


def card_list(kind: str, cards: Iterable[Hashable], now: datetime, render: Render) -> Markup:
    """A list of cards (a feed page, the queue), kept under the cards' versions and the language, never the person.

    `cards` are light rows (app/problems/queries.py Card): each problem's id and change number, its
    household's change number and its building's name, what a card prints besides the clock.
    """
    return cached((kind, str(get_locale()), tuple(cards)), now, render)


def record(problem: Problem, staff_view: bool, now: datetime, render: Render) -> Markup:
    """What was reported, the departments and the timeline of `problem`.

    The same for everyone who may see the problem except the internal notes, so `staff_view` is in the
    key beside the problem's version and what else it prints (its household's version, its building's name).
    """
    household = problem.household
    return cached(("problem", str(get_locale()), staff_view, problem.id, problem.change_seq, problem.updated_at,
                   household.change_seq if household is not None else None, problem.building.name), now, render)


def queue_filter(choices: Iterable[tuple[str, str]], user, now: datetime, render: Render) -> Markup:
    """The queue's filter form: the choices made, and the roles that decide which buildings it offers.

    The buildings are read again when it is rendered again, at most every MAX_AGE: a building added to a
    community shows by then.
    """
    roles = tuple((a.role, a.building_id, a.community_id, a.street_id) for a in user.roles)
    return cached(("queue-filter", str(get_locale()), tuple(choices), roles), now, render)
