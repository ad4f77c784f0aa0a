"""Setting up the organisation (HTML): the index, streets, communities and departments.

Thin views: a form becomes a command's payload (app/organisation/commands.py), run through
app.views. Buildings and rooms: building_routes.py; the workbook import: import_routes.py.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.auth.permissions import can, require
from app.extensions import db
from app.models import Community, Department, DepartmentKind, Street
from app.organisation import queries
from app.organisation.forms import (
    KIND_LABELS,
    CategoriesForm,
    CommunityForm,
    DepartmentForm,
    ServedBuildingsForm,
    StreetForm,
)
from app.problems.models import CATEGORY_LABELS, Category
from app.views import attempt, perform

bp = Blueprint("organisation", __name__, url_prefix="/organisation")



def managed_street(street_id: int) -> Street:
    """The street, if the signed-in person sets it up (404 / 403 otherwise)."""
    street = db.get_or_404(Street, street_id)
    require(current_user, "organisation.street.manage", street)
    return street


def sets_up(street: Street) -> bool:
    """Whether the signed-in person sets up `street` (its link in the breadcrumbs)."""
    return can(current_user, "organisation.street.manage", street)


@bp.context_processor
def _labels():
    return {"KIND_LABELS": KIND_LABELS, "sets_up": sets_up}


@bp.route("/")
@login_required
def index():
    """Where setting up starts: the admin's streets, a street office's own street, staff's community."""
    require(current_user, "organisation.view")
    streets = queries.streets_for(db.session, current_user)
    communities = queries.staff_communities(db.session, current_user)
    if len(streets) == 1 and not communities and not can(current_user, "organisation.street.create"):
        return redirect(url_for("organisation.street", street_id=streets[0].id))
    if not streets and len(communities) == 1:
        return redirect(url_for("organisation.community", community_id=communities[0].id))
    return render_template("organisation/index.html", streets=streets, communities=communities,
                           can_create=can(current_user, "organisation.street.create"))


@bp.route("/streets/new", methods=["GET", "POST"])
@login_required
def new_street():
    """The admin opens a street."""
    require(current_user, "organisation.street.create")
    form = StreetForm()
    if form.validate_on_submit() and (result := attempt("organisation.street.save", form.data, form)):
        flash(_("Street %(name)s opened. Add its communities next.", name=result["name"]), "success")
        return redirect(url_for("organisation.street", street_id=result["id"]))
    return render_template("organisation/street_new.html", form=form), 400 if form.errors else 200


@bp.route("/streets/<int:street_id>", methods=["GET", "POST"])
@login_required
def street(street_id: int):
    """A street: its name, communities and departments, and the way to the workbook import."""
    street = managed_street(street_id)
    form = StreetForm(obj=street)
    if form.validate_on_submit() and attempt("organisation.street.save", {**form.data, "street_id": street.id}, form):
        flash(_("Saved."), "success")
        return redirect(url_for("organisation.street", street_id=street.id))
    return render_template("organisation/street.html", street=street, form=form,
                           communities=queries.communities_of(db.session, street),
                           departments=queries.departments_of(db.session, street)), 400 if form.errors else 200


def _community_payload(form: CommunityForm, street: Street, community: Community | None = None) -> dict:
    return {**form.data, "street_id": street.id, "community_id": community.id if community else None}


@bp.route("/streets/<int:street_id>/communities/new", methods=["GET", "POST"])
@login_required
def new_community(street_id: int):
    """Add a community to the street."""
    street = managed_street(street_id)
    form = CommunityForm()
    if form.validate_on_submit() and (result := attempt("organisation.community.save", _community_payload(form, street), form)):
        flash(_("Community %(name)s added. Add its buildings next.", name=result["name"]), "success")
        return redirect(url_for("organisation.community", community_id=result["id"]))
    return render_template("organisation/community_new.html", street=street, form=form), 400 if form.errors else 200


def _categories_form(community: Community) -> CategoriesForm:
    form = CategoriesForm(prefix="categories")
    form.categories.choices = [SelectChoice(c.value, label) for c, label in CATEGORY_LABELS.items()]
    if not form.is_submitted():
        form.categories.data = [c.value for c in Category if community.offers(c.value)]
    return form


@bp.route("/communities/<int:community_id>", methods=["GET", "POST"])
@login_required
def community(community_id: int):
    """A community: its settings and categories (street and admin), its buildings (and staff's too)."""
    community = db.get_or_404(Community, community_id)
    require(current_user, "organisation.buildings.manage", community)
    settings = can(current_user, "organisation.street.manage", community.street)
    form = CommunityForm(obj=community)
    if request.method == "POST":
        if not settings:
            abort(403)
        if form.validate_on_submit() and attempt("organisation.community.save",
                                                 _community_payload(form, community.street, community), form):
            flash(_("Saved."), "success")
            return redirect(url_for("organisation.community", community_id=community.id))
    search = request.args.get("q", "")[:50]
    return render_template("organisation/community.html", community=community, form=form, settings=settings,
                           categories=_categories_form(community), search=search,
                           buildings=queries.buildings_of(db.session, community, search)), 400 if form.errors else 200


@bp.post("/communities/<int:community_id>/categories")
@login_required
def categories(community_id: int):
    """Save the problem categories the community uses."""
    community = db.get_or_404(Community, community_id)
    form = _categories_form(community)
    back = url_for("organisation.community", community_id=community.id)
    if not form.validate_on_submit():
        flash(" ".join(form.categories.errors) or _("Please check the form."), "error")
        return redirect(back)
    return perform("organisation.community.categories", {"community_id": community.id, "categories": form.categories.data},
                   done=back, success=_("Categories saved."))


@bp.route("/streets/<int:street_id>/departments/new", methods=["GET", "POST"])
@login_required
def new_department(street_id: int):
    """Add a city department or a property company to the street."""
    street = managed_street(street_id)
    form = DepartmentForm()
    if form.validate_on_submit() and (result := attempt("organisation.department.save",
                                                        {**form.data, "street_id": street.id}, form)):
        flash(_("%(name)s added.", name=result["name"]), "success")
        return redirect(url_for("organisation.department", department_id=result["id"]))
    return render_template("organisation/department_new.html", street=street, form=form), 400 if form.errors else 200


@bp.route("/departments/<int:department_id>", methods=["GET", "POST"])
@login_required
def department(department_id: int):
    """A department: name, kind, duty phone, and for a property company the buildings it serves."""
    item = db.get_or_404(Department, department_id)
    if item.street_id is None:
        abort(404)
    street = managed_street(item.street_id)
    form = DepartmentForm(obj=item)
    if request.method == "GET":
        form.kind.data = item.kind.value
    if form.validate_on_submit() and attempt("organisation.department.save",
                                             {**form.data, "street_id": street.id, "department_id": item.id}, form):
        flash(_("Saved."), "success")
        return redirect(url_for("organisation.department", department_id=item.id))
    served = _served_form(street, item)
    return render_template("organisation/department.html", street=street, department=item, form=form, served=served,
                           is_property=item.kind == DepartmentKind.PROPERTY), 400 if form.errors else 200


def _served_form(street: Street, company: Department) -> ServedBuildingsForm:
    form = ServedBuildingsForm(prefix="served")
    buildings = queries.street_buildings(db.session, street)
    form.building_ids.choices = [SelectChoice(b.id, b.full_name) for b in buildings]
    if not form.is_submitted():
        form.building_ids.data = [b.id for b in buildings if b.property_department_id == company.id]
    return form


@bp.post("/departments/<int:department_id>/buildings")
@login_required
def served_buildings(department_id: int):
    """Save which of the street's buildings a property company serves."""
    item = db.get_or_404(Department, department_id)
    if item.street_id is None:
        abort(404)
    form = _served_form(managed_street(item.street_id), item)
    back = url_for("organisation.department", department_id=item.id)
    if not form.validate_on_submit():
        flash(_("Please check the form."), "error")
        return redirect(back)
    return perform("organisation.department.buildings",
                   {"department_id": item.id, "building_ids": form.building_ids.data or []},
                   done=back, success=_("Saved."))
