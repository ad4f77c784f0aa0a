"""Changes to a building's typed directory entries: add, change, remove, move. They flush, never commit."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.directory.models import DirectoryEntry, EntryKind
from app.models import Building, User


def add_entry(session: Session, building: Building, *, kind: EntryKind, label: str, name: str, phone: str,
              user: User | None) -> DirectoryEntry:
    """A new entry at the end of the building's list."""
    last = session.scalar(select(func.max(DirectoryEntry.position)).where(DirectoryEntry.building_id == building.id))
    entry = DirectoryEntry(building=building, kind=kind, label=label, name=name, phone=phone, user=user,
                           position=(last or 0) + 1)
    session.add(entry)
    session.flush()
    return entry


def update_entry(session: Session, entry: DirectoryEntry, *, kind: EntryKind, label: str, name: str, phone: str,
                 user: User | None) -> DirectoryEntry:
    """The entry as now typed (its place in the list unchanged)."""
    entry.kind, entry.label, entry.name, entry.phone, entry.user = kind, label, name, phone, user
    session.flush()
    return entry


def remove_entry(session: Session, entry: DirectoryEntry) -> None:
    """Take the entry off the building's list."""
    session.delete(entry)
    session.flush()


def move_entry(session: Session, entry: DirectoryEntry, step: int) -> bool:
    """Swap the entry with its neighbour above (step -1) or below (+1); False at either end."""
    siblings = list(session.scalars(select(DirectoryEntry).where(DirectoryEntry.building_id == entry.building_id)
                                    .order_by(DirectoryEntry.position, DirectoryEntry.id)))
    index = siblings.index(entry)
    other = index + step
    if not 0 <= other < len(siblings):
        return False
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings, start=1):  # renumbered: equal positions from old rows sort too
        sibling.position = position
    session.flush()
    return True
