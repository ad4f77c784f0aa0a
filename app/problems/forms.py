"""Problem forms. They validate; they never write."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.problems.models import CATEGORY_LABELS


class ReportForm(FlaskForm):
    """Report a problem: category, words, photos, a voice note, where."""

    building_id = HiddenField()
    category = RadioField(_l("What kind of problem"),
                           choices=[SelectChoice(c.value, label) for c, label in CATEGORY_LABELS.items()],
                           validators=[DataRequired(message=_l("Choose what kind of problem it is."))])
    text = TextAreaField(_l("What is wrong"), validators=[Optional(), Length(max=2000)])
    location = StringField(_l("Where in the building (entrance, floor, spot)"), validators=[Optional(), Length(max=100)])
    photos = MultipleFileField(_l("Photos (up to 6)"))
    voice = FileField(_l("Voice note (optional)"))
    household_id = SelectField(_l("For which household"), coerce=int, validators=[Optional()])
    source = SelectField(_l("How it reached you"), validators=[Optional()])
    hotline_order_no = StringField(_l("12345 work-order number"), validators=[Optional(), Length(max=40)])


class UpdateForm(FlaskForm):
    """A public update, a comment or an internal note."""

    text = TextAreaField(_l("Update"), validators=[DataRequired(message=_l("Write something first.")), Length(max=2000)])
    internal = BooleanField(_l("Internal note (staff only)"))


class ReasonForm(FlaskForm):
    """Escalation or reopening: a reason."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(message=_l("Say why.")), Length(max=500)])


class DispatchForm(FlaskForm):
    """Blow the whistle to one or more departments."""

    departments = SelectMultipleField(_l("Departments"), coerce=int,
                                      validators=[DataRequired(message=_l("Choose at least one department."))])
    note = TextAreaField(_l("Note for the departments"), validators=[Optional(), Length(max=500)])


class ResolveForm(FlaskForm):
    """What was done."""

    text = TextAreaField(_l("What was done"), validators=[DataRequired(message=_l("Say what was done.")), Length(max=2000)])


class ConfirmForm(FlaskForm):
    """The reporter confirms and rates."""

    rating = IntegerField(_l("How satisfied are you (1–5)"), validators=[
        DataRequired(message=_l("Choose 1 to 5 stars.")), NumberRange(min=1, max=5, message=_l("Choose 1 to 5 stars."))])
    thanks = BooleanField(_l("Say thanks (点赞)"))
    text = StringField(_l("A word for them (optional)"), validators=[Optional(), Length(max=500)])


class RecategoriseForm(FlaskForm):
    """The category the problem really belongs to."""

    category = SelectField(_l("Category"), choices=[SelectChoice(c.value, label) for c, label in CATEGORY_LABELS.items()])


class MergeForm(FlaskForm):
    """The problem a duplicate goes into, by its number."""

    into = IntegerField(_l("Number of the problem that stays"), validators=[
        DataRequired(message=_l("Give the number of the problem that stays.")), NumberRange(min=1)])


class AssignForm(FlaskForm):
    """A named colleague at the desk."""

    assignee = SelectField(_l("Give to"), coerce=int)
