"""Forms for drafting a convention, opening its vote and commenting. They validate; they never write."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, FloatField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class ConventionForm(FlaskForm):
    """Title and text of a convention, with optional quorum and threshold."""

    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Write a title.")),
                                                 Length(max=80, message=_l("At most %(max)d characters."))])
    text = TextAreaField(_l("Text of the convention"), validators=[DataRequired(message=_l("Write the text."))])
    quorum = FloatField(_l("Quorum (share of households that must vote, e.g. 0.5)"),
                        validators=[Optional(), NumberRange(min=0.01, max=1, message=_l("Between 0 and 1."))])
    threshold = FloatField(_l("Threshold (share of agree among agree and disagree, e.g. 0.5)"),
                           validators=[Optional(), NumberRange(min=0.01, max=1, message=_l("Between 0 and 1."))])


class EditForm(FlaskForm):
    """A new version of the text."""

    text = TextAreaField(_l("Text of the convention"), validators=[DataRequired(message=_l("Write the text."))])


class OpenVoteForm(FlaskForm):
    """When the vote closes (it opens now)."""

    closes_at = DateTimeLocalField(_l("Vote closes at"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(message=_l("Choose when the vote closes."))])


class CommentForm(FlaskForm):
    """A comment during discussion."""

    body = TextAreaField(_l("Your comment"), validators=[DataRequired(message=_l("Please write your comment.")),
                                                         Length(max=2000, message=_l("At most %(max)d characters."))])


class DefaultsForm(FlaskForm):
    """A community's default quorum and threshold for its buildings' conventions."""

    quorum = FloatField(_l("Quorum (share of households that must vote, e.g. 0.5)"),
                        validators=[DataRequired(message=_l("Between 0 and 1.")),
                                    NumberRange(min=0.01, max=1, message=_l("Between 0 and 1."))])
    threshold = FloatField(_l("Threshold (share of agree among agree and disagree, e.g. 0.5)"),
                           validators=[DataRequired(message=_l("Between 0 and 1.")),
                                       NumberRange(min=0.01, max=1, message=_l("Between 0 and 1."))])
