"""Forms of the visits feature. They validate; they never write."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.models import ContactPreference
from app.visits.models import NeedStatus, VisitKind

KIND_LABELS = {
    VisitKind.ROUTINE: _l("Routine visit"),
    VisitKind.ELDERLY_CARE: _l("Care for an elderly resident"),
    VisitKind.NOTICE_DELIVERY: _l("Delivering a notice"),
    VisitKind.VOTE_COLLECTION: _l("Collecting a vote"),
    VisitKind.SURVEY: _l("Survey"),
}
NEED_LABELS = {
    NeedStatus.OPEN: _l("open"),
    NeedStatus.TO_REPORT: _l("to be reported"),
    NeedStatus.REFERRED: _l("referred"),
    NeedStatus.DONE: _l("solved"),
}
CONTACT_LABELS = {
    ContactPreference.PUSH: _l("Phone notification"),
    ContactPreference.PHONE: _l("Phone call"),
    ContactPreference.DOOR: _l("In person, at the door"),
}


class VisitForm(FlaskForm):
    """One visit, as the building head records it at the door."""

    household_id = SelectField(_l("Household"), coerce=int,
                               validators=[DataRequired(message=_l("Choose a household."))])
    visited_at = DateTimeLocalField(_l("When"), format="%Y-%m-%dT%H:%M",
                                    validators=[DataRequired(message=_l("Enter the time of the visit."))])
    kind = SelectField(_l("Kind of visit"), choices=[SelectChoice(k.value, v) for k, v in KIND_LABELS.items()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])
    need = StringField(_l("Need found (optional)"), validators=[Optional(), Length(max=500)])
    report_need = BooleanField(_l("Report this need as a problem to the community"))
    referral = StringField(_l("Referred to (optional)"), validators=[Optional(), Length(max=200)])
    follow_up_on = DateField(_l("Visit again on (optional)"), validators=[Optional()])
    photo = FileField(_l("Photo (optional)"))


class HouseholdForm(FlaskForm):
    """A household's ledger entry."""

    members = StringField(_l("Members"), validators=[Optional(), Length(max=500)])
    member_count = IntegerField(_l("Number of people"), validators=[Optional(), NumberRange(min=0, max=30)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=20)])
    empty_nest = BooleanField(_l("Empty nest (children live elsewhere)"))
    lives_alone = BooleanField(_l("Lives alone"))
    limited_mobility = BooleanField(_l("Limited mobility"))
    no_smartphone = BooleanField(_l("No smartphone"))
    preferred_contact = SelectField(_l("Preferred contact"),
                                    choices=[SelectChoice(k.value, v) for k, v in CONTACT_LABELS.items()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])


class ImportForm(FlaskForm):
    """Upload a CSV or XLSX ledger for one building."""

    building_id = SelectField(_l("Building"), coerce=int)
    file = FileField(_l("Ledger file (CSV or XLSX)"), validators=[
        FileRequired(message=_l("Choose a file.")),
        FileAllowed(["csv", "xlsx"], message=_l("Only CSV or XLSX files.")),
    ])
