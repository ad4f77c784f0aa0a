"""Pages of care mode for the accessibility gate (see app/a11y.py): 潘大爷 (care) sees them all."""
from app.a11y import NotAPage, Page
from app.conventions.demo import SIX_TITLE
from app.conventions.models import Convention
from app.notices.demo import S11_TITLE
from app.notices.models import Notice


def _six_vote(demo):
    return {"convention_id": demo.id_of(Convention, title=SIX_TITLE)}  # 6号楼, where 潘大爷 lives


PAGES = (
    Page("care.home", roles=("care", "resident")),
    Page("care.report", roles=("care", "resident")),
    Page("care.notices", roles=("care",)),
    Page("care.notice", roles=("care",), args=lambda demo: {"notice_id": demo.id_of(Notice, title=S11_TITLE)}),
    Page("care.vote", roles=("care",), args=_six_vote),
    Page("care.vote_done", roles=("care",), args=_six_vote),
    Page("care.settings", roles=("care", "resident")),
)
NOT_PAGES = (
    NotAPage("care.votes", "goes straight to the one open vote (care.vote) when there is one, as in the demo"),
)
