"""The compose form. It validates; it never writes."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.notices.models import URGENCY_LABELS
from app.notices.schemas import MAX_BODY


class CheckboxList(SelectMultipleField):
    """Several choices shown as checkboxes (buildings, communities, the street)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class NoticeForm(FlaskForm):
    """A notice as staff write it: text, urgency, where it goes."""

    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Write a title.")),
                                                 Length(max=60, message=_l("At most 60 characters."))])
    body = TextAreaField(_l("Notice"), validators=[DataRequired(message=_l("Write the notice.")),
                                                   Length(max=MAX_BODY, message=_l("At most %(max)d characters."))])
    urgency = SelectField(_l("Urgency"), choices=[SelectChoice(k.value, v) for k, v in URGENCY_LABELS.items()])
    expires_on = DateField(_l("Valid until (optional)"), validators=[Optional()])
    image = FileField(_l("Picture (optional)"))
    targets = CheckboxList(_l("Send to"), validators=[DataRequired(message=_l("Choose where the notice goes."))])

    # The JSON body's target fields are these checkboxes: a refusal about them is shown there (app.views.attempt).
    street_id = community_ids = building_ids = property(lambda self: self.targets)
