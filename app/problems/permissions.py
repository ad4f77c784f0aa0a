"""Who may do what with a problem (registered with app.auth.permissions)."""
from app.auth import scope
from app.auth.permissions import rule
from app.models import Building, Role, User
from app.problems.models import Dispatch, Level, Problem, ProblemEvent

RESPONDERS = (Role.BUILDING_HEAD, Role.STAFF, Role.STREET, Role.ADMIN)
OFFICE = (Role.STAFF, Role.STREET, Role.ADMIN)


def _department_ids(user: User) -> set[int]:
    return {a.department_id for a in user.roles if a.role == Role.DEPARTMENT and a.department_id}


def _dispatched_to_me(user: User, problem: Problem) -> bool:
    mine = _department_ids(user)
    return any(d.department_id in mine for d in problem.dispatches)


def _property_of(user: User, problem: Problem) -> bool:
    """The user works for the property company that looks after the problem's building (S10)."""
    return problem.building.property_department_id in _department_ids(user)


@rule("issue.view")
def _view(user: User, problem: Problem) -> bool:
    """Residents: their building; heads, staff, street: their scope; departments: what was dispatched to them.

    The property company of the building sees its problems too. Departments never see internal notes
    (those need `issue.note`, community staff and the street only).
    """
    return scope.covers_building(user, problem.building_id) or _dispatched_to_me(user, problem) \
        or _property_of(user, problem)


@rule("issue.report")
def _report(user: User, building: Building) -> bool:
    """Residents report for their own building; heads and staff on behalf of its households."""
    return scope.covers_building(user, building.id)


@rule("issue.report_on_behalf")
def _on_behalf(user: User, building: Building) -> bool:
    """Visit, walk-in and group-chat relays: building heads and above."""
    return scope.covers_building(user, building.id, RESPONDERS)


@rule("issue.hotline")
def _hotline(user: User, building: Building) -> bool:
    """12345 hotline work orders are entered by community staff and the street."""
    return scope.covers_building(user, building.id, OFFICE)


def handled_building_ids(user: User):
    """A SELECT of the buildings whose problems are in my queue (the rule below, for lists)."""
    return scope.building_ids(user, RESPONDERS)


@rule("issue.handle")
def _handle(user: User, building: Building) -> bool:
    """Whose queue a building's problems are in: its head, its staff, its street."""
    return scope.covers_building(user, building.id, RESPONDERS)


@rule("issue.respond")
def _respond(user: User, problem: Problem) -> bool:
    """Public updates that count as the response: heads, staff, street, and the building's property company."""
    return scope.covers_building(user, problem.building_id, RESPONDERS) or _property_of(user, problem)


@rule("issue.note")
def _note(user: User, problem: Problem) -> bool:
    """Internal notes, seen by staff only."""
    return scope.covers_building(user, problem.building_id, OFFICE)


@rule("issue.comment")
def _comment(user: User, problem: Problem) -> bool:
    """Anyone who can see the problem may comment on it."""
    return _view(user, problem)


@rule("issue.escalate")
def _escalate(user: User, problem: Problem) -> bool:
    """A building head sends it to the community; staff send it (from either level) to the street."""
    if problem.level == Level.BUILDING:
        return scope.covers_building(user, problem.building_id, (Role.BUILDING_HEAD, Role.STAFF, Role.ADMIN))
    if problem.level == Level.COMMUNITY:
        return scope.covers_building(user, problem.building_id, (Role.STAFF, Role.ADMIN))
    return False


@rule("issue.dispatch")
def _dispatch(user: User, problem: Problem) -> bool:
    """Blowing the whistle to departments: the street, or the community staff."""
    return scope.covers_building(user, problem.building_id, OFFICE)


@rule("issue.assign")
def _assign(user: User, problem: Problem) -> bool:
    """Giving it to a named colleague, re-categorising, merging a duplicate: desk work, staff and the street."""
    return scope.covers_building(user, problem.building_id, OFFICE)


@rule("issue.resolve")
def _resolve(user: User, problem: Problem) -> bool:
    """Marking it resolved: staff and the street."""
    return scope.covers_building(user, problem.building_id, OFFICE)


@rule("issue.confirm")
def _confirm(user: User, problem: Problem) -> bool:
    """Confirming, rating and reopening: the reporter, or a member of the reporting household."""
    if problem.reporter_id == user.id:
        return True
    return problem.household_id is not None and problem.household_id in scope.own_household_ids(user)


@rule("dispatch.work")
def _work(user: User, order: Dispatch) -> bool:
    """Accepting and finishing a work order: members of that department."""
    return order.department_id in _department_ids(user)


def can_view_problem_photos(user: User, problem_id: int) -> bool:
    """Photos and voice notes of a problem are seen by whoever may see the problem."""
    from app.extensions import db

    problem = db.session.get(Problem, problem_id)
    return problem is not None and _view(user, problem)


def can_view_step_photos(user: User, event_id: int) -> bool:
    """A step's photos are seen by whoever may see the step: the problem's viewers, and staff for internal notes."""
    from app.extensions import db

    event = db.session.get(ProblemEvent, event_id)
    if event is None or not _view(user, event.problem):
        return False
    return event.public or _note(user, event.problem)
