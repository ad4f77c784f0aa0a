"""The form staff use to start a consultation. It validates; it never writes."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, DateTimeLocalField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import DataRequired, Length, Optional

FMT = "%Y-%m-%dT%H:%M"
MAX_IMAGES = 6  # a plan, a few views of the site


class CheckboxList(SelectMultipleField):
    """Buildings as checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ConsultationForm(FlaskForm):
    """Title, description with pictures, whom to ask, the phases and an optional poll."""

    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Write a title.")),
                                                 Length(max=80, message=_l("At most %(max)d characters."))])
    description = TextAreaField(_l("Description"), validators=[DataRequired(message=_l("Write a description."))])
    images = MultipleFileField(_l("Pictures (optional, up to %(n)d)", n=MAX_IMAGES), render_kw={"accept": "image/*"})
    targets = CheckboxList(_l("Ask"), validators=[DataRequired(message=_l("Choose whom to ask."))])
    phase1_opens_at = DateTimeLocalField(_l("Phase 1 (party members and building heads) opens"), format=FMT,
                                         validators=[Optional()])
    phase1_closes_at = DateTimeLocalField(_l("Phase 1 closes"), format=FMT, validators=[Optional()])
    phase2_opens_at = DateTimeLocalField(_l("Phase 2 (all residents) opens"), format=FMT,
                                         validators=[DataRequired(message=_l("Choose a time."))])
    phase2_closes_at = DateTimeLocalField(_l("Phase 2 closes"), format=FMT,
                                          validators=[DataRequired(message=_l("Choose a time."))])
    poll_question = StringField(_l("Poll question (optional)"), validators=[Optional(), Length(max=200)])
    poll_options = TextAreaField(_l("Poll answers, one per line"), validators=[Optional()])
    poll_multiple = BooleanField(_l("Several answers may be chosen"))
