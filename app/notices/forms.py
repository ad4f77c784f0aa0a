"""The compose form. It validates; it never writes."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField, StringField, TextAreaField, widgets
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
    # Shown only when the deployment sends SMS (app/sms): who is unreached by push gets an SMS, flagged households a call.
    phone_channels = SelectField(_l("SMS and calls"), default="auto", choices=[
        SelectChoice("auto", _l("By urgency: SMS; urgent notices also call households without a smartphone or living alone")),
        SelectChoice("sms", _l("SMS to households push does not reach")),
        SelectChoice("sms_voice", _l("SMS, then a call to flagged households that have not read it")),
        SelectChoice("none", _l("No SMS or calls")),
    ])
    sms_per_member = BooleanField(_l("One SMS to each member instead of one per household"))

    # The JSON body's target fields are these checkboxes: a refusal about them is shown there (app.views.attempt).
    street_id = community_ids = building_ids = property(lambda self: self.targets)
