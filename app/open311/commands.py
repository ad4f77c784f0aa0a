"""What a city platform does through Open311: post a request, which becomes a problem of the loop."""
from __future__ import annotations

from flask_babel import gettext as _
from pydantic import BaseModel, Field

from app.commands import Context, Refused, command
from app.problems import services
from app.problems.commands import building_to_report_in
from app.problems.models import Category, Source
from app.problems.schemas import problem_json


class PlatformReportIn(BaseModel):
    """Payload of `open311.report`: a service request for one of our buildings."""

    building_id: int
    category: Category
    text: str = ""
    location: str = Field(default="", max_length=100)


@command("open311.report", PlatformReportIn)
def report(ctx: Context, data: PlatformReportIn) -> dict:
    """A request from a city platform 城市平台, entered by the key's account on the building's behalf.

    It is reported on nobody's household and counts from the platform; the key's account must be one
    that may report on a household's behalf in that building (app/problems/permissions.py).
    """
    building = building_to_report_in(ctx, data.building_id, "issue.report_on_behalf")
    if not building.community.offers(data.category.value):  # the community's services (app/organisation)
        raise Refused(_("This community does not take problems of this kind."), field="category")
    problem = services.report_problem(ctx.session, ctx.user, building, category=data.category, text=data.text,
                                      now=ctx.now, uuid=ctx.uuid, source=Source.PLATFORM, location=data.location)
    return problem_json(problem)
