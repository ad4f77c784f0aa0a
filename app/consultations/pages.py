"""Pages of the consultations feature for the accessibility gate (see app/a11y.py)."""
from app.a11y import Page
from app.consultations.demo import TITLE
from app.consultations.models import Consultation

PAGES = (
    Page("consultations.index", roles=("resident", "care", "staff")),
    Page("consultations.new", roles=("staff",)),
    Page("consultations.show", roles=("resident", "care", "building_head", "staff"),
         args=lambda demo: {"consultation_id": demo.id_of(Consultation, title=TITLE)}),  # S4: the pocket park
    Page("consultations.party", roles=("staff",)),
)
