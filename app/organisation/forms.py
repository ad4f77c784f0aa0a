"""Set-up forms. They validate; they never write (the commands do)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileRequired, MultipleFileField
from wtforms import FloatField, IntegerField, SelectField, SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.models import DepartmentKind

REQUIRED = _l("This field is required.")


class CheckboxesField(SelectMultipleField):
    """Several choices as check boxes (each with its own label)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class StreetForm(FlaskForm):
    """A street 街道: its name and district."""

    name = StringField(_l("Street name"), validators=[DataRequired(message=REQUIRED), Length(max=80)])
    district = StringField(_l("District"), validators=[Optional(), Length(max=80)])


class CommunityForm(FlaskForm):
    """A community 社区 and its settings."""

    name = StringField(_l("Community name"), validators=[DataRequired(message=REQUIRED), Length(max=80)])
    feedback_hours = IntegerField(_l("Feedback deadline (hours)"), default=12,
                                  validators=[DataRequired(message=REQUIRED), NumberRange(min=1, max=720)])
    vote_quorum = FloatField(_l("Default vote quorum (0–1, empty: 0.5)"), validators=[Optional(), NumberRange(min=0.01, max=1)])
    vote_threshold = FloatField(_l("Default vote threshold (0–1, empty: 0.5)"),
                                validators=[Optional(), NumberRange(min=0.01, max=1)])


class CategoriesForm(FlaskForm):
    """The problem categories a community uses."""

    categories = CheckboxesField(_l("Problem categories residents can choose"),
                                 validators=[DataRequired(message=_l("Keep at least one category."))])


class BuildingForm(FlaskForm):
    """A building 楼: name, address, property company."""

    name = StringField(_l("Building name"), validators=[DataRequired(message=REQUIRED), Length(max=80)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    property_department_id = SelectField(_l("Property company"), coerce=int)


class GenerateRoomsForm(FlaskForm):
    """Rooms from units × floors × rooms per floor."""

    units = StringField(_l("Units (separated by commas; empty: none)"), validators=[Optional(), Length(max=400)])
    floors = IntegerField(_l("Floors"), validators=[DataRequired(message=REQUIRED), NumberRange(min=1, max=99)])
    per_floor = IntegerField(_l("Rooms per floor"), validators=[DataRequired(message=REQUIRED), NumberRange(min=1, max=40)])


class RoomForm(FlaskForm):
    """One room: unit, floor, number."""

    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=20)])
    floor = IntegerField(_l("Floor"), validators=[Optional(), NumberRange(min=-9, max=200)])
    number = StringField(_l("Room number"), validators=[DataRequired(message=REQUIRED), Length(max=20)])


KIND_LABELS = {DepartmentKind.PROPERTY: _l("Property company"), DepartmentKind.CITY: _l("City department")}


class DepartmentForm(FlaskForm):
    """A department 部门 or property company 物业."""

    name = StringField(_l("Department name"), validators=[DataRequired(message=REQUIRED), Length(max=80)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()])
    duty_phone = StringField(_l("Duty phone"), validators=[Optional(), Length(max=20)])


class ServedBuildingsForm(FlaskForm):
    """The buildings a property company serves."""

    building_ids = CheckboxesField(_l("Buildings it serves"), coerce=int, validators=[Optional()])


class ImportForm(FlaskForm):
    """Upload the organisation workbook (XLSX, or one CSV per sheet) into a street."""

    street_id = SelectField(_l("Street"), coerce=int)
    files = MultipleFileField(_l("Workbook (XLSX, or CSV files: one per sheet)"), validators=[
        FileRequired(message=_l("Choose a file.")),
        FileAllowed(["csv", "xlsx"], message=_l("Only CSV or XLSX files.")),
    ])
