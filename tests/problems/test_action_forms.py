"""The problem page's action forms are written out by blank_field / csrf_field (app/blank_fields.py), not
through WTForms' widgets: they must write what field() and hidden_tag() would, for every field shown."""
import re

import pytest
from flask import render_template_string
from wtforms.fields.choices import SelectChoice

from app.blank_fields import blank_form
from app.problems.forms import (
    AssignForm,
    ConfirmForm,
    DispatchForm,
    MergeForm,
    ReasonForm,
    RecategoriseForm,
    ResolveForm,
    UpdateForm,
)

FORMS = [(UpdateForm, "update"), (ReasonForm, "escalate"), (DispatchForm, "dispatch"), (ResolveForm, "resolve"),
         (ConfirmForm, "confirm"), (ReasonForm, "reopen"), (RecategoriseForm, "recategorise"), (MergeForm, "merge"),
         (AssignForm, "assign")]
# The desk's colleagues, as the page lists them (names are people's own: escaped).
COLLEAGUES = [SelectChoice(3, "王<芳>"), SelectChoice(41, "Li & Co")]


def normalised(html) -> str:
    """The HTML with runs of white space as one space and none between tags."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html)).strip())


def rendered(macro: str, **context) -> str:
    return normalised(render_template_string('{% from "_macros/forms.html" import field %}'
                                             + macro, **context))


@pytest.mark.parametrize(("form_class", "prefix"), FORMS)
@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_blank_fields_read_as_the_widgets_write_them(app, form_class, prefix, locale):
    from flask_babel import force_locale

    with app.test_request_context("/"), force_locale(locale):
        form = form_class(prefix=prefix)
        assert rendered("{{ csrf_field(prefix) }}", prefix=prefix) == normalised(form.hidden_tag())
        blank = blank_form(form_class, prefix)  # as the page reads them (routes._actions)
        if form_class is AssignForm:
            form.assignee.choices = COLLEAGUES
            blank = {"assignee": blank["assignee"]._replace(choices=tuple(COLLEAGUES))}
        shown = [f for f in form if f.type in ("TextAreaField", "StringField", "BooleanField", "IntegerField", "SelectField")]
        assert shown  # the departments and the stars are written out in the page itself
        for f in shown:
            for hint in (None,) if f.type == "BooleanField" else (None, "写 @楼长 通知报告人"):
                assert rendered("{{ blank_field(f, hint) }}", f=blank[f.short_name], hint=hint) == \
                    rendered("{{ field(f, hint) }}", f=f, hint=hint), (prefix, f.name, hint)
