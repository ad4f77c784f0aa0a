"""The organisation workbook import (HTML): template, upload and preview, confirm. Admin and street offices."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.auth.permissions import can
from app.extensions import db
from app.models import Street
from app.organisation import importer, queries, workbook
from app.organisation.forms import ImportForm
from app.organisation.routes import bp
from app.organisation.workbook import SHEETS
from app.spreadsheets import drop_preview, owned_preview, store_preview
from app.views import perform

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _streets() -> list[Street]:
    streets = [s for s in queries.streets_for(db.session, current_user) if can(current_user, "organisation.street.manage", s)]
    if not streets and can(current_user, "organisation.street.create"):  # a fresh install: a street first
        flash(_("Open a street first; then import its workbook."), "info")
        abort(redirect(url_for("organisation.new_street")))
    if not streets:
        abort(403)
    return streets


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_workbook():
    """Upload the workbook; every row is checked and shown with what it would do; nothing is written yet."""
    streets = _streets()
    form = ImportForm()
    form.street_id.choices = [SelectChoice(s.id, s.name) for s in streets]
    if request.method == "GET" and request.args.get("street", type=int):
        form.street_id.data = request.args.get("street", type=int)
    if request.method == "POST" and request.form.get("street_id", type=int) not in {s.id for s in streets}:
        abort(403)  # another street's tree, or none: the admin picks among all, a street office has its own
    if form.validate_on_submit():
        street = next(s for s in streets if s.id == form.street_id.data)
        parsed = workbook.parse_workbook([(f.filename or "", f.read()) for f in form.files.data])
        payload = parsed.payload(street.id)
        plan = importer.plan(db.session, street, workbook.WorkbookIn.model_validate(payload))
        errors = parsed.errors + plan.errors
        token = "" if errors else store_preview({"user_id": current_user.id, "payload": payload})
        return render_template("organisation/import_preview.html", street=street, plan=plan, errors=errors,
                               token=token, sheets=SHEETS, counts=plan.counts(),
                               room_summary=_room_summary(plan)), 400 if errors else 200
    return render_template("organisation/import.html", form=form, sheets=SHEETS), 400 if form.errors else 200


def _room_summary(plan: importer.Plan) -> list[tuple[str, str, dict[str, int]]]:
    """Per building of the 房间 sheet: how many of its rooms are new, changed, unchanged, wrong."""
    summary: dict[tuple[str, str], dict[str, int]] = {}
    for row, status in zip(plan.data.rooms, plan.status["rooms"], strict=False):
        counts = summary.setdefault((row.community, row.building), dict.fromkeys(importer.STATUSES, 0))
        counts[status] += 1
    return [(c, b, counts) for (c, b), counts in summary.items()]


@bp.post("/import/<token>")
@login_required
def confirm_import(token: str):
    """Write the previewed workbook, all of it in one transaction."""
    kept = owned_preview(token, current_user.id)
    if kept is None:
        flash(_("This preview has expired. Please upload the file again."), "error")
        return redirect(url_for("organisation.import_workbook"))
    street_id = kept["payload"]["street_id"]
    response = perform("organisation.import", kept["payload"], done=url_for("organisation.street", street_id=street_id),
                       back=url_for("organisation.import_workbook", street=street_id), success=_summary)
    drop_preview(token)  # written, or refused for good
    return response


def _summary(result: dict) -> str:
    counts = result["counts"]
    return _("Imported: %(communities)s new communities, %(buildings)s new buildings, %(rooms)s new rooms, "
             "%(departments)s new departments; %(changed)s rows changed.",
             communities=counts["communities"]["new"], buildings=counts["buildings"]["new"],
             rooms=counts["rooms"]["new"], departments=counts["departments"]["new"],
             changed=sum(c["changed"] for c in counts.values()))


@bp.get("/import/template.xlsx")
@login_required
def import_template():
    """The workbook template: one sheet per level with its Chinese headers."""
    _streets()
    return Response(workbook.template_xlsx(), mimetype=XLSX,
                    headers={"Content-Disposition": "attachment; filename=organisation-template.xlsx"})


@bp.get("/import/template-<int:index>.csv")
@login_required
def import_template_csv(index: int):
    """One sheet of the template as CSV (for those who keep their lists as CSV)."""
    _streets()
    if not 0 <= index < len(SHEETS):
        abort(404)
    return Response(workbook.sheet_csv(SHEETS[index]), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=organisation-{SHEETS[index].key}.csv"})
