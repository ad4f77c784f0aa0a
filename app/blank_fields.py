"""Blank form fields written out in Python, as templates/_macros/forms.html `field()` renders them.

A page whose forms are drawn for each person on every view (a problem's actions: up to nine forms
below the record) spent more on WTForms (binding each form, translating each label, its widgets)
than on the rest of the page. A blank field (no data, no errors) needs only the field's id, name,
label, validation flags and choices: blank_form() reads those once per form, prefix and language,
and blank_field() writes the field from them. Text areas, text and number
inputs, check boxes and selects (SelectChoice options, none chosen);
tests/problems/test_action_forms.py checks that both write the same.
"""
from __future__ import annotations

from functools import cache
from typing import NamedTuple

from flask import Flask
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from wtforms import Form
from wtforms.fields.choices import SelectChoice


class BlankField(NamedTuple):
    """What blank_field() writes of a form's field, its label translated (blank_form)."""

    id: str
    name: str
    label: str
    type: str
    required: bool
    min: int | None
    max: int | None
    minlength: int | None
    maxlength: int | None
    choices: tuple[SelectChoice, ...] = ()


@cache
def _blank_form(form_class: type[Form], prefix: str, locale: str) -> dict[str, BlankField]:
    form = form_class(prefix=prefix, formdata=None, meta={"csrf": False})
    return {field.short_name: BlankField(
        field.id, field.name, str(field.label.text), field.type, bool(field.flags.required), field.flags.min,
        field.flags.max, field.flags.minlength, field.flags.maxlength,
        tuple(SelectChoice(c.value, str(c.label)) for c in getattr(field, "choices", None) or ()))
        for field in form}


def blank_form(form_class: type[Form], prefix: str) -> dict[str, BlankField]:
    """The fields of `form_class` (with `prefix`), blank, by name: read once per process, prefix and language.

    Nothing in a blank field depends on the request (the CSRF token is csrf_field's), so WTForms binds
    the form once; a page changes a field with `_replace` (its choices, its label), never in place.
    """
    return _blank_form(form_class, prefix, str(get_locale()))


def _attribute(name: str, value) -> str:
    return f' {name}="{escape(value)}"'


def blank_field(field: BlankField, hint: str | None = None) -> Markup:
    """`field` blank, labelled, with its hint (tied by aria-describedby) and its validation attributes."""
    field_id, label = escape(field.id), escape(field.label)
    if field.type == "BooleanField":
        required = " required" if field.required else ""
        return Markup(f'<div class="field"><label class="check"><input id="{field_id}" name="{escape(field.name)}"'  # noqa: S704 — escaped above
                      f'{required} type="checkbox" value="y"> <span>{label}</span></label></div>')
    html = [f'<div class="field"><label for="{field_id}">{label}</label>']
    if hint:
        html.append(f'<p class="hint" id="{field_id}-hint">{escape(hint)}</p>')
    attributes = [f' aria-describedby="{field_id}-hint"' if hint else "", f' aria-invalid="false" id="{field_id}"']
    attributes += [_attribute(name, value) for name, value in (("max", field.max), ("maxlength", field.maxlength),
                                                                ("min", field.min), ("minlength", field.minlength))
                   if value is not None and (value or name in ("max", "min"))]
    attributes.append(_attribute("name", field.name) + (" required" if field.required else ""))
    written = "".join(attributes)
    if field.type == "TextAreaField":
        html.append(f"<textarea{written}>\n</textarea>")
    elif field.type == "SelectField":
        options = "".join(f'<option value="{escape(choice.value)}">{escape(choice.label)}</option>' for choice in field.choices)
        html.append(f"<select{written}>{options}</select>")
    else:
        kind = "number" if field.type == "IntegerField" else "text"
        html.append(f'<input{written} type="{kind}" value="">')
    html.append("</div>")
    return Markup("".join(html))  # noqa: S704 — every value escaped above


def csrf_field(prefix: str) -> Markup:
    """The CSRF token field of the form with this prefix, as FlaskForm's hidden_tag() writes it: the asker's own token."""
    return Markup(f'<input id="{prefix}-csrf_token" name="{prefix}-csrf_token" type="hidden"'  # noqa: S704 — escaped
                  f' value="{escape(generate_csrf())}">')


def init_app(app: Flask) -> None:
    """`blank_field(...)` and `csrf_field(...)` in every template."""
    app.jinja_env.globals.update(blank_field=blank_field, csrf_field=csrf_field)
