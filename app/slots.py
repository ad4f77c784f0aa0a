"""One way for a feature to add to another feature's page: named slots.

A page marks a place with `{{ slot("problems.feed.top", building=building) }}`; a feature that has
something to show there registers it in its init_app with `add_to_slot(...)`. The page knows
nothing of who fills it, and a slot nobody fills renders nothing (no `include … ignore missing`,
no `is defined` checks).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup


@dataclass(frozen=True)
class SlotPart:
    """A template a feature adds to a slot, and what it needs besides the page's arguments."""

    template: str
    # Called with the slot's arguments; returns more template variables, or None to show nothing.
    context: Callable[..., dict[str, Any] | None] | None = None
    order: int = 50


_SLOTS: dict[str, list[SlotPart]] = {}


def add_to_slot(name: str, template: str, *, context: Callable[..., dict[str, Any] | None] | None = None,
                order: int = 50) -> None:
    """Show `template` in the slot `name` of another feature's page (idempotent)."""
    part = SlotPart(template, context, order)
    parts = _SLOTS.setdefault(name, [])
    if part not in parts:
        parts.append(part)
        parts.sort(key=lambda p: p.order)


@pass_context
def render_slot(page: Context, name: str, **arguments: Any) -> Markup:
    """The HTML of every part added to slot `name`, in order (empty when none).

    Each part is rendered with the page's own context, as an include is, plus the slot's arguments and
    what its context function adds: the context processors, which render_template() would run again
    for every part, ran once for the page (the header's slot is on every page).
    """
    parts = _SLOTS.get(name)
    if not parts:
        return Markup("")
    html = []
    for part in parts:
        extra = part.context(**arguments) if part.context is not None else {}
        if extra is not None:
            template = page.environment.get_template(part.template)
            html.append(Markup(template.render({**page.get_all(), **arguments, **extra})))  # noqa: S704 — autoescaped by Jinja
    return Markup("").join(html)


def init_app(app: Flask) -> None:
    """Make `slot(...)` available to every template."""
    app.jinja_env.globals["slot"] = render_slot
