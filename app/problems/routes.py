"""Problem pages: report, the building feed, a problem's timeline, the staff queue, work orders."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from app.auth import scope
from app.auth.permissions import can, require
from app.blank_fields import blank_form
from app.clock import utcnow
from app.commands import Refused
from app.extensions import db
from app.models import Building, Household, Role
from app.problems import desk, fragments, queries
from app.problems.forms import (
    AssignForm,
    ConfirmForm,
    DispatchForm,
    MergeForm,
    ReasonForm,
    RecategoriseForm,
    ReportForm,
    ResolveForm,
    UpdateForm,
)
from app.problems.labels import clock_texts, dispatch_labels, event_labels, source_labels, status_labels
from app.problems.models import CATEGORY_LABELS, Dispatch, Problem, Source, Status
from app.problems.permissions import RESPONDERS, handled_building_ids
from app.problems.services import STEP_FILES
from app.uploads.form_files import save_form_file
from app.uploads.services import attachments_of
from app.views import attempt, command_context, perform

bp = Blueprint("problems", __name__, url_prefix="/issues")

# The wordings above in each language, translated once per process (catalogs do not change while it runs).
_WORDINGS: dict[str, dict] = {}


@bp.context_processor
def _labels():
    locale = str(get_locale())
    wordings = _WORDINGS.get(locale)
    if wordings is None:
        # Plain strings: lazy ones would be translated again each time a card prints one.
        wordings = _WORDINGS[locale] = {
            "CATEGORY_LABELS": {category: str(label) for category, label in CATEGORY_LABELS.items()},
            "SOURCE_LABELS": source_labels(), "STATUS_LABELS": status_labels(), "CLOCK_TEXTS": clock_texts(),
            "EVENT_LABELS": event_labels(), "DISPATCH_LABELS": dispatch_labels()}
    return {**wordings, "now": utcnow()}


def _record(problem: Problem, staff_view: bool) -> Markup:
    """What was reported, the departments and the timeline, kept between requests (fragments.record)."""
    now = utcnow()

    def render():
        queries.load_timeline(db.session, problem)
        events = [e for e in problem.events if e.public or staff_view]
        files = attachments_of(db.session, "problem", [problem.id])[problem.id]  # the report's own
        step_files = attachments_of(db.session, STEP_FILES, [e.id for e in events])  # each step's, shown with it
        return render_template("problems/_record.html", problem=problem, events=events, files=files,
                               step_files=step_files, now=now), [problem]

    return fragments.record(problem, staff_view, now, render)


def _buildings(ids) -> list[Building]:
    """Buildings whose ids the SELECT `ids` gives (one query however many there are)."""
    return list(db.session.scalars(select(Building).where(Building.id.in_(ids))
                                   .options(selectinload(Building.community)).order_by(Building.id)))


def _card_list(kind: str, cards: list[queries.Card], empty: str, *, thumbs: bool,
               template: str = "problems/_cards.html") -> Markup:
    """The rendered list of `cards`, kept between requests (fragments.card_list: the same for everyone)."""
    now = utcnow()

    def render():
        problems = queries.problems_for(db.session, cards)
        # Every card's files: a photo as its thumbnail (`thumbs`), a voice note to play (a voice-only report).
        files = attachments_of(db.session, "problem", [p.id for p in problems])
        return render_template(template, problems=problems, files=files, thumbs=thumbs, empty=empty,
                               now=now), problems

    return fragments.card_list(kind, cards, now, render)


def _shown(problem_id: int) -> str:
    return url_for("problems.show", problem_id=problem_id)


def _step(name: str, problem_id: int, payload: dict, message: str | None = None):
    """Run one step of the loop on a problem and come back to its page, saying so (`message`) or why not."""
    return perform(name, {"problem_id": problem_id, **payload}, done=_shown(problem_id), success=message)


def _refused(problem_id: int, message: str):
    """Back to the problem's page, saying why its form was not sent."""
    flash(message, "error")
    return redirect(_shown(problem_id))


def _files_refused(file_errors: list[str]) -> None:
    """Once what they came with is saved, say which files were refused and why."""
    for message in file_errors:
        flash(message, "error")


@bp.route("/")
@login_required
def index():
    """My building's feed (residents), or my queue (heads, staff, street), or my work orders (departments)."""
    if current_user.has_role(Role.BUILDING_HEAD, Role.STAFF, Role.STREET, Role.ADMIN):
        return redirect(url_for("problems.queue"))
    if current_user.has_role(Role.DEPARTMENT):
        return redirect(url_for("problems.orders"))
    buildings = _buildings(scope.building_ids(current_user))
    if not buildings:
        abort(403)
    return redirect(url_for("problems.feed", building_id=buildings[0].id))


@bp.route("/building/<int:building_id>")
@login_required
def feed(building_id: int):
    """The building's problems as a feed, newest activity first, a page at a time (?before= for older ones)."""
    before = _feed_cursor(request.args.get("before"))
    page = queries.feed_page(db.session, current_user, building_id, before=before) or abort(404)
    require(current_user, "building.view", page.building)
    cards = _card_list("feed", page.cards, _("No problems reported in this building yet.") if before is None
                       else _("No older problems."), thumbs=True)
    older = url_for("problems.feed", building_id=building_id, before=queries.feed_link(page.older)) if page.older else None
    return render_template("problems/feed.html", building=page.building, cards=cards, older=older, first=before is None)


def _feed_cursor(value: str | None) -> tuple[datetime, int] | None:
    try:
        return queries.feed_cursor(value)
    except ValueError:
        abort(400)  # a link the app never made


def _save_files(form: ReportForm) -> tuple[list, list[str]]:
    """Store the photos and voice note; a bad file is reported but never loses the report."""
    files = [f for f in (form.photos.data or []) if f and f.filename][:6]
    if form.voice.data and form.voice.data.filename:
        files.append(form.voice.data)
    return _store(files)


def _store(files: list) -> tuple[list, list[str]]:
    """Verify and store uploaded files through app.uploads; bad ones become messages, good ones are kept."""
    saved, errors = [], []
    for storage in files:
        try:
            saved.append(save_form_file(storage))
        except Refused as exc:
            errors.append(f"{storage.filename}: {exc.message}")
    return saved, errors


def _with_files(saved: list):
    """The context of a command for the signed-in person, with the files this request stored as its attachments."""
    return replace(command_context(), attachments=saved)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Report a problem (works offline with JavaScript, through the outbox)."""
    # issue.report covers exactly the buildings of my scope (see app/problems/permissions.py)
    buildings = _buildings(scope.building_ids(current_user))
    if not buildings:
        abort(403)
    building = next((b for b in buildings if b.id == request.values.get("building", type=int)), buildings[0])
    require(current_user, "issue.report", building)
    form = ReportForm()
    # The categories this building's community uses (set up in app/organisation); all by default.
    form.category.choices = [c for c in form.category.choices if building.community.offers(c.value)]
    on_behalf = can(current_user, "issue.report_on_behalf", building)
    households = db.session.scalars(select(Household).where(Household.building_id == building.id)
                                    .order_by(Household.unit, Household.room)).all() if on_behalf else []
    form.household_id.choices = [SelectChoice(0, _("Myself"))] + [SelectChoice(h.id, h.label) for h in households]
    sources = [Source.APP] + ([Source.VISIT, Source.WALK_IN, Source.GROUP] if on_behalf else [])
    if can(current_user, "issue.hotline", building):
        sources.append(Source.HOTLINE)
    form.source.choices = [SelectChoice(s.value, source_labels()[s]) for s in sources]
    if form.validate_on_submit():
        saved, file_errors = _save_files(form)  # first: a bad file never loses the report
        problem = attempt("issue.report", {
            "building_id": building.id, "household_id": form.household_id.data or None, "category": form.category.data,
            "text": form.text.data or "", "location": form.location.data or "", "source": form.source.data or "app",
            "hotline_order_no": form.hotline_order_no.data or ""}, form, ctx=_with_files(saved), message_on="text")
        if problem is not None:
            _files_refused(file_errors)
            flash(_("Reported. The community answers within %(hours)s hours.", hours=building.community.feedback_hours), "info")
            return redirect(_shown(problem["id"]))
    return render_template("problems/new.html", form=form, building=building, buildings=buildings,
                           on_behalf=on_behalf), 400 if form.errors else 200


@bp.route("/<int:problem_id>")
@login_required
def show(problem_id: int):
    """The problem with its timeline (internal notes only for staff) and the actions I may take."""
    user = current_user._get_current_object()  # asked about a dozen times below: not through the proxy each time
    page = queries.problem_page(db.session, user, problem_id) or abort(404)
    problem = page.problem
    require(user, "issue.view", problem)
    staff_view = can(user, "issue.note", problem)
    return render_template("problems/show.html", problem=problem, record=_record(problem, staff_view),
                           staff_view=staff_view, **_actions(user, page))


ACTIONS = ("issue.escalate", "issue.dispatch", "issue.resolve", "issue.confirm", "issue.assign", "issue.respond")


def _actions(user, page: queries.ProblemPage) -> dict:
    """What the forms and buttons below the record need (templates/problems/_actions.html): may, orders, forms.

    What this person may do here, their work orders and the blank forms (app/blank_fields.py: the forms'
    fields read once, their choices for this problem); drawn on every view, within the page, with the
    asker's own CSRF token.
    """
    problem = page.problem
    may = {action: can(user, action, problem) for action in ACTIONS}
    my_departments = {a.department_id for a in user.roles if a.department_id}
    my_orders = [d for d in problem.dispatches if d.department_id in my_departments] if my_departments else []
    # Several forms on one page: prefixes keep their field ids (and labels) apart. Only the forms the
    # page can show are given: a closed problem shows none.
    forms = {}
    if problem.is_open:
        update, dispatch = blank_form(UpdateForm, "update"), blank_form(DispatchForm, "dispatch")
        if not may["issue.respond"]:  # residents and neighbours comment; only responders post progress
            update = {**update, "text": update["text"]._replace(label=_("Your comment"))}
        # Departments are offered only to those who may dispatch; the list read at the version read with the problem.
        offered = queries.departments(db.session, page.departments_version) if may["issue.dispatch"] else ()
        dispatch = {**dispatch, "departments": dispatch["departments"]._replace(
            choices=tuple(SelectChoice(id_, name) for id_, name in offered))}
        forms.update(update_form=update, escalate_form=blank_form(ReasonForm, "escalate"), dispatch_form=dispatch,
                     resolve_form=blank_form(ResolveForm, "resolve"))
        if may["issue.assign"]:  # the desk's corrections: category, duplicate, colleague
            category, assignee = blank_form(RecategoriseForm, "recategorise")["category"], \
                blank_form(AssignForm, "assign")["assignee"]
            offers = problem.building.community.offers
            forms.update(recategorise_form={"category": category._replace(choices=tuple(
                             c for c in category.choices if c.value != problem.category.value and offers(c.value)))},
                         merge_form=blank_form(MergeForm, "merge"),
                         assign_form={"assignee": assignee._replace(choices=tuple(
                             SelectChoice(id_, name) for id_, name in page.colleagues if id_ != problem.assignee_id))})
    if problem.status == Status.RESOLVED:
        forms.update(confirm_form=blank_form(ConfirmForm, "confirm"), reopen_form=blank_form(ReasonForm, "reopen"))
    return {"may": may, "my_orders": my_orders, **forms}


@bp.post("/<int:problem_id>/update")
@login_required
def update(problem_id: int):
    """A public update or internal note (responders), or a comment (everyone who can see it)."""
    form = UpdateForm(prefix="update")
    if not form.validate_on_submit():
        return _refused(problem_id, _("Write something first."))
    return _step("issue.comment", problem_id, {"text": form.text.data, "internal": form.internal.data})


@bp.post("/<int:problem_id>/escalate")
@login_required
def escalate(problem_id: int):
    """One-click escalation to the next level, with a reason."""
    return _step("issue.escalate", problem_id, {"reason": request.form.get("escalate-reason", "")},
                 _("Sent up to the next level."))


@bp.post("/<int:problem_id>/dispatch")
@login_required
def dispatch(problem_id: int):
    """Blow the whistle: dispatch to one or more departments at once."""
    ids = request.form.getlist("dispatch-departments", type=int)
    if not ids:  # checkboxes cannot be required: the page answers none as the loop does (services.dispatch)
        return _refused(problem_id, _("Choose at least one department that has not been asked yet."))
    return _step("issue.dispatch", problem_id, {"department_ids": ids, "note": request.form.get("dispatch-note", "")},
                 _("Dispatched."))


@bp.post("/<int:problem_id>/resolve")
@login_required
def resolve(problem_id: int):
    """Mark resolved; the reporter is asked to confirm."""
    return _step("issue.resolve", problem_id, {"text": request.form.get("resolve-text", "")}, _("Marked resolved."))


@bp.post("/<int:problem_id>/recategorise")
@login_required
def recategorise(problem_id: int):
    """Put the problem in the category it really belongs to."""
    return _step("issue.recategorise", problem_id, {"category": request.form.get("recategorise-category", "")},
                 _("Category changed."))


@bp.post("/<int:problem_id>/merge")
@login_required
def merge(problem_id: int):
    """Merge this duplicate into the problem that stays."""
    into = request.form.get("merge-into", type=int)
    if not into:
        return _refused(problem_id, _("Give the number of the problem that stays."))
    return _step("issue.merge", problem_id, {"into": into}, _("Merged into problem #%(id)s.", id=into))


@bp.post("/<int:problem_id>/assign")
@login_required
def assign(problem_id: int):
    """Give the problem to a named colleague."""
    return _step("issue.assign", problem_id, {"problem_ids": [problem_id],
                                              "assignee_id": request.form.get("assign-assignee", type=int) or 0},
                 _("Assigned."))


@bp.post("/<int:problem_id>/confirm")
@login_required
def confirm(problem_id: int):
    """The reporter confirms, rates and may thank."""
    form = ConfirmForm(prefix="confirm")
    if not form.validate_on_submit():
        return _refused(problem_id, _("Choose 1 to 5 stars."))
    return _step("issue.confirm", problem_id, {"rating": form.rating.data, "thanks": form.thanks.data,
                                               "text": form.text.data or ""}, _("Thank you for confirming."))


@bp.post("/<int:problem_id>/reopen")
@login_required
def reopen(problem_id: int):
    """The reporter says it is not fixed (within 7 days)."""
    return _step("issue.reopen", problem_id, {"reason": request.form.get("reopen-reason", "")}, _("Reopened."))


@bp.post("/orders/<int:order_id>/<any(accept, progress, done):step>")
@login_required
def work(order_id: int, step: str):
    """A department accepts (报到), posts progress with photos, or finishes its part."""
    order = db.session.get(Dispatch, order_id) or abort(404)  # for the page it comes back to
    photos = [f for f in request.files.getlist("photos") if f and f.filename][:6] if step == "progress" else []
    saved, file_errors = _store(photos)
    # Once it is saved, only the refused files are named: `success` gives perform no message of its own.
    return perform(f"issue.{step}", {"order_id": order_id, "text": request.form.get("text", "")}, ctx=_with_files(saved),
                   done=_shown(order.problem_id), success=lambda _result: _files_refused(file_errors))


def _sort_labels() -> dict[str, str]:
    """The orders the desk can sort the queue by (queries.SORTS), in words."""
    return {"deadline": _("Deadline"), "reported": _("Newest reported"), "activity": _("Latest activity"),
            "building": _("Building"), "category": _("Category"), "status": _("Status")}


@bp.route("/queue")
@login_required
def queue():
    """Open problems in my scope, overdue first, then by deadline; cards on a phone, a table at a desk."""
    if not current_user.has_role(*RESPONDERS):
        abort(403)
    args, now = request.args, utcnow()
    # Bulk actions: everyone in the queue may mark read; staff and the street may also give problems to a
    # colleague (building heads have none listed).
    page = desk.desk_page(db.session, current_user, now=now, status=args.get("status", ""),
                          category=args.get("category", ""), source=args.get("source", ""),
                          building_id=args.get("building", type=int), text=args.get("q", ""),
                          sort=args.get("sort", ""))
    cards = _card_list("queue", page.cards, _("Nothing waiting."), thumbs=False, template="problems/_queue_list.html")
    # The filter lists every building of the street (223 options): kept (fragments.queue_filter).
    filters = fragments.queue_filter(args.items(multi=True), current_user, now, lambda: (
        render_template("problems/_queue_filter.html", args=args, SORT_LABELS=_sort_labels(),
                        buildings=queries.building_choices(db.session, handled_building_ids(current_user))), ()))
    return render_template("problems/queue.html", cards=cards, filters=filters, colleagues=page.colleagues,
                           counts=page.counts)


@bp.post("/queue/bulk")
@login_required
def bulk():
    """The queue's bulk actions on the problems chosen: give them to a colleague, or mark them read."""
    ids = request.form.getlist("problem", type=int)
    back = url_for("problems.queue")
    if not ids:
        flash(_("Choose at least one problem first."), "error")
        return redirect(back)
    if request.form.get("action") == "assign":
        return perform("issue.assign", {"problem_ids": ids, "assignee_id": request.form.get("assignee", type=int) or 0},
                       done=back, success=_("Assigned %(n)s problems.", n=len(ids)))
    return perform("issue.mark_read", {"problem_ids": ids}, done=back, success=_("Marked read."))


@bp.route("/orders")
@login_required
def orders():
    """Work orders dispatched to my department."""
    if not current_user.has_role(Role.DEPARTMENT):
        abort(403)
    done = request.args.get("tab") == "done"  # the department's history: finished orders and their times
    return render_template("problems/orders.html", done=done,
                           orders=queries.work_orders(db.session, current_user, done=done),
                           looked_after=[] if done else queries.property_problems(db.session, current_user, now=utcnow()))
