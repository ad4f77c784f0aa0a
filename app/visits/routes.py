"""Visits 走访 and the household ledger 台账 (HTML)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.auth import scope
from app.auth.permissions import can, require
from app.clock import LOCAL_TZ, to_local, utcnow
from app.extensions import db
from app.models import Building, Household
from app.spreadsheets import drop_preview, owned_preview, store_preview
from app.uploads.services import attachments_of
from app.views import attempt, command_context, form_uploads, perform
from app.visits import ledger_import, services
from app.visits.forms import CONTACT_LABELS, KIND_LABELS, NEED_LABELS, HouseholdForm, ImportForm, VisitForm
from app.visits.models import NeedStatus
from app.visits.services import CARE_FLAGS, coverage, follow_ups_due, household_visits, ledger

bp = Blueprint("visits", __name__, url_prefix="/visits")


def my_buildings() -> list[Building]:
    """Buildings I manage, by community and name."""
    return list(db.session.scalars(select(Building).where(Building.id.in_(scope.managed_building_ids(current_user)))
                                   .order_by(Building.community_id, Building.id)))


def get_or_404(model, ident):
    """A row by id, or 404."""
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


@bp.context_processor
def _labels():
    return {"KIND_LABELS": KIND_LABELS, "CONTACT_LABELS": CONTACT_LABELS, "CARE_FLAGS": CARE_FLAGS,
            "NEED_LABELS": NEED_LABELS}


@bp.route("/")
@login_required
def index():
    """My buildings' coverage, the follow-ups due, and links to the ledger."""
    buildings = my_buildings()
    if not buildings:
        abort(403)
    now = utcnow()
    due = follow_ups_due(db.session, scope.managed_building_ids(current_user), today=to_local(now).date())
    return render_template("visits/index.html", coverage=coverage(db.session, buildings, now=now), due=due)


@bp.route("/ledger/<int:building_id>")
@login_required
def building_ledger(building_id: int):
    """The building's households, searchable and filtered by care flag and last visit."""
    building = get_or_404(Building, building_id)
    require(current_user, "ledger.view", building)
    search = request.args.get("q", "")[:50]
    flag = request.args.get("flag", "")
    days = request.args.get("not_visited", type=int)
    rows = ledger(db.session, building, search=search, flag=flag,
                  not_visited_days=days if days in (30, 90) else None, now=utcnow())
    return render_template("visits/ledger.html", building=building, rows=rows, search=search, flag=flag,
                           not_visited=days, can_import=can(current_user, "ledger.import", building))


@bp.route("/households/<int:household_id>")
@login_required
def household(household_id: int):
    """One household: ledger entry and visit history."""
    item = get_or_404(Household, household_id)
    require(current_user, "ledger.view", item.building)
    visits = household_visits(db.session, item)
    photos = attachments_of(db.session, "visit", [v.id for v in visits])
    reports = {n.id: services.need_problem(db.session, n) for v in visits for n in v.needs
               if n.status != NeedStatus.OPEN}
    return render_template("visits/household.html", household=item, visits=visits, photos=photos, reports=reports,
                           can_report=can(current_user, "visit.add", item), reportable=(NeedStatus.OPEN, NeedStatus.TO_REPORT))


@bp.route("/households/<int:household_id>/edit", methods=["GET", "POST"])
@login_required
def edit_household(household_id: int):
    """Edit a household's ledger entry (flags, members, contact)."""
    item = get_or_404(Household, household_id)
    require(current_user, "household.manage", item)
    form = HouseholdForm(obj=item)
    if request.method == "GET":
        form.preferred_contact.data = item.preferred_contact.value
    if form.validate_on_submit() and attempt("household.edit", {**form.data, "household_id": item.id}, form) is not None:
        flash(_("Saved."), "info")
        return redirect(url_for("visits.household", household_id=item.id))
    return render_template("visits/household_edit.html", household=item, form=form), 400 if form.errors else 200


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Record a visit. With JavaScript it goes through the offline outbox; without, it posts here."""
    buildings = my_buildings()
    if not buildings:
        abort(403)
    building_id = request.args.get("building", type=int)
    if building_id is None and (chosen := db.session.get(Household, request.args.get("household", type=int) or 0)):
        building_id = chosen.building_id  # /visits/new?household=… opens that household's building
    building_id = building_id or buildings[0].id
    building = next((b for b in buildings if b.id == building_id), None)
    if building is None:
        abort(403)
    form = VisitForm()
    households = db.session.scalars(select(Household).where(Household.building_id == building.id,
                                                            Household.is_deleted.is_(False))
                                    .order_by(Household.unit, Household.floor, Household.room)).all()
    form.household_id.choices = [SelectChoice(0, _("Choose a household"))] + [SelectChoice(h.id, h.label) for h in households]
    if request.method == "GET":
        form.household_id.data = request.args.get("household", type=int) or 0
        form.visited_at.data = to_local(utcnow()).replace(tzinfo=None, second=0, microsecond=0)
    if form.validate_on_submit() and attempt("visit.add", visit_payload(form), form,
                                             ctx=lambda: command_context(attachments=form_uploads(form.photo))):
        label = next(h.label for h in households if h.id == form.household_id.data)
        flash(_("Visit to %(household)s saved.", household=label), "info")
        return redirect(url_for("visits.new", building=building.id))
    return render_template("visits/new.html", form=form, buildings=buildings, building=building,
                           households=households), 400 if form.errors else 200


def visit_payload(form: VisitForm) -> dict:
    """The visit form's values as the `visit.add` payload (the device's outbox sends the same)."""
    needs = []
    if form.need.data:
        status = "to_report" if form.report_need.data else "referred" if form.referral.data else "open"
        needs.append({"text": form.need.data, "status": status, "referral": form.referral.data or ""})
    return {"household_id": form.household_id.data, "visited_at": form.visited_at.data.replace(tzinfo=LOCAL_TZ),
            "kind": form.kind.data, "notes": form.notes.data or "", "needs": needs, "follow_up_on": form.follow_up_on.data}


@bp.post("/needs/<int:need_id>/done")
@login_required
def need_done(need_id: int):
    """The need has been met (e.g. the companionship service now calls in)."""
    return perform("visit.need_done", {"need_id": need_id}, success=_("Marked as solved."),
                   done=lambda result: url_for("visits.household", household_id=result["household_id"]))


@bp.route("/follow-ups")
@login_required
def follow_ups():
    """待回访: the visits whose follow-up date has come, in the buildings I manage."""
    if not my_buildings():
        abort(403)
    due = follow_ups_due(db.session, scope.managed_building_ids(current_user), today=to_local(utcnow()).date())
    return render_template("visits/follow_ups.html", due=due)


@bp.post("/needs/<int:need_id>/report")
@login_required
def report_need(need_id: int):
    """Turn a need found on a visit into a problem report, in one step."""
    return perform("visit.need_report", {"need_id": need_id},
                   success=_("Reported as a problem; the community will follow it up."),
                   done=lambda result: url_for("problems.show", problem_id=result["problem_id"]))


@bp.post("/<int:visit_id>/follow-up-done")
@login_required
def follow_up_done(visit_id: int):
    """Mark the follow-up of a visit as made."""
    back = "visits.follow_ups" if request.form.get("back") == "follow_ups" else "visits.index"
    return perform("visit.follow_up_done", {"visit_id": visit_id}, done=url_for(back))


# -- ledger import ---------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_ledger():
    """Upload a CSV/XLSX ledger; show a preview with every row's errors; nothing written yet."""
    buildings = [b for b in my_buildings() if can(current_user, "ledger.import", b)]
    if not buildings:
        abort(403)
    form = ImportForm()
    form.building_id.choices = [SelectChoice(b.id, b.full_name) for b in buildings]
    if form.validate_on_submit():
        building = next(b for b in buildings if b.id == form.building_id.data)
        parsed = ledger_import.parse_ledger(form.file.data.filename, form.file.data.read())
        token = ""
        if parsed.ok:
            token = store_preview({"user_id": current_user.id, "building_id": building.id, "rows": parsed.rows})
        return render_template("visits/import_preview.html", building=building, parsed=parsed, token=token,
                               columns=list(ledger_import.HEADERS),
                               changes=ledger_import.changes(db.session, building, parsed.rows)), 200 if parsed.ok else 400
    return render_template("visits/import.html", form=form), 400 if form.errors else 200


@bp.post("/import/<token>")
@login_required
def confirm_import(token: str):
    """Write the previewed rows (all of them, in one transaction)."""
    payload = owned_preview(token, current_user.id)
    if payload is None:
        flash(_("This preview has expired. Please upload the file again."), "error")
        return redirect(url_for("visits.import_ledger"))
    response = perform("ledger.import", {"building_id": payload["building_id"], "rows": payload["rows"]},
                       done=url_for("visits.building_ledger", building_id=payload["building_id"]),
                       success=lambda result: _("Imported: %(created)s new households, %(updated)s updated.",
                                                created=result["created"], updated=result["updated"]))
    drop_preview(token)  # written, or refused for good
    return response


@bp.get("/import/template.xlsx")
@login_required
def import_template_xlsx():
    """The Excel template with the column names staff fill in."""
    return Response(ledger_import.template_xlsx(),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=ledger-template.xlsx"})


@bp.get("/import/template.csv")
@login_required
def import_template():
    """The CSV template with the column names staff fill in."""
    return Response(ledger_import.template_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=ledger-template.csv"})

