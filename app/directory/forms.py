"""Forms of the directory 通讯录. They validate (and carry the CSRF token); the commands decide."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from app.directory.models import EntryKind
from app.directory.queries import KIND_LABELS


class EntryForm(FlaskForm):
    """One typed entry: its kind, an optional label, a staff account or a name and number."""

    kind = SelectField(_l("Kind"), choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
                       default=EntryKind.STAFF.value)
    user_id = SelectField(_l("Staff account (for the staff in charge)"), choices=[], validate_choice=False)
    name = StringField(_l("Name"), validators=[Length(max=50)])
    label = StringField(_l("Role shown (optional)"), validators=[Length(max=40)])
    phone = StringField(_l("Phone"), validators=[Length(max=20)], render_kw={"type": "tel", "inputmode": "tel"})

    def payload(self) -> dict:
        """The command's payload (an empty account choice is none)."""
        return {"kind": self.kind.data, "label": self.label.data or "", "name": self.name.data or "",
                "phone": self.phone.data or "", "user_id": int(self.user_id.data) if self.user_id.data else None}


class ButtonForm(FlaskForm):
    """A bare POST with CSRF: remove an entry, move it."""
