"""Blank form fields written out in Python, as templates/_macros/forms.html `field()` renders them.

A page whose forms are drawn for each person on every view (a problem's actions: up to nine forms
below the record) spent more on WTForms' widgets, and then on the same written as Jinja macros, than
on the rest of the page. A blank field (no data, no errors) needs only the field's id, name, label,
validation flags and choices, so it is written here from those. Text areas, text and number
inputs, check boxes and selects (SelectChoice options, none chosen);
tests/problems/test_action_forms.py checks that both write the same.
"""
from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from wtforms import Field


def _attribute(name: str, value) -> str:
    return f' {name}="{escape(value)}"'


def blank_field(field: Field, hint: str | None = None) -> Markup:
    """`field` blank, labelled, with its hint (tied by aria-describedby) and its validation attributes."""
    flags, field_id, label = field.flags, escape(field.id), escape(field.label.text)
    if field.type == "BooleanField":
        required = " required" if flags.required else ""
        return Markup(f'<div class="field"><label class="check"><input id="{field_id}" name="{escape(field.name)}"'  # noqa: S704 — escaped above
                      f'{required} type="checkbox" value="y"> <span>{label}</span></label></div>')
    html = [f'<div class="field"><label for="{field_id}">{label}</label>']
    if hint:
        html.append(f'<p class="hint" id="{field_id}-hint">{escape(hint)}</p>')
    attributes = [f' aria-describedby="{field_id}-hint"' if hint else "", f' aria-invalid="false" id="{field_id}"']
    attributes += [_attribute(name, value) for name, value in (("max", flags.max), ("maxlength", flags.maxlength),
                                                                ("min", flags.min), ("minlength", flags.minlength))
                   if value is not None and (value or name in ("max", "min"))]
    attributes.append(_attribute("name", field.name) + (" required" if flags.required else ""))
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
