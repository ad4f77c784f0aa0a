"""Problems in the words of Open311 GeoReport v2 (field names and statuses as the standard defines)."""
from __future__ import annotations

import re
from xml.etree import ElementTree as ET

from flask_babel import force_locale

from app.clock import to_local
from app.problems.models import CATEGORY_LABELS, OPEN_STATUSES, Category, EventKind, Problem

STATUS_NOTES = {"reported": "已反映", "acknowledged": "已受理", "in_progress": "办理中", "escalated": "已上报",
                "resolved": "已解决", "confirmed": "已确认", "closed": "已关闭"}


def w3c(moment) -> str | None:
    """W3C datetime in Beijing time, as the standard's examples give (2010-04-14T06:37:38-08:00)."""
    return to_local(moment).isoformat(timespec="seconds") if moment else None


def service_json(category: Category) -> dict:
    """One service (a category)."""
    with force_locale("zh_CN"):
        name = str(CATEGORY_LABELS[category])
    return {"service_code": category.value, "service_name": name, "description": name, "metadata": False,
            "type": "realtime", "keywords": "", "group": ""}


def request_json(problem: Problem) -> dict:
    """One service request."""
    status = "open" if problem.status in OPEN_STATUSES else "closed"
    last_public = next((e.text for e in reversed(problem.events)
                        if e.public and e.kind in (EventKind.RESPONSE, EventKind.RESOLVED) and e.text), "")
    notes = STATUS_NOTES[problem.status.value] + (f":{last_public}" if last_public else "")
    agencies = "、".join(d.department.name for d in problem.dispatches) or problem.building.community.name
    return {
        "service_request_id": str(problem.id), "status": status, "status_notes": notes,
        "service_name": service_json(problem.category)["service_name"], "service_code": problem.category.value,
        "description": problem.text, "agency_responsible": agencies, "service_notice": "",
        "requested_datetime": w3c(problem.reported_at), "updated_datetime": w3c(problem.last_activity_at),
        "expected_datetime": w3c(problem.feedback_due_at) if problem.first_response_at is None else None,
        "address": f"{problem.building.full_name} {problem.location}".strip(), "address_id": str(problem.building_id),
        "zipcode": "", "lat": None, "long": None, "media_url": "",
    }


# What XML 1.0 cannot carry, even escaped (its Char production): control characters other than tab,
# newline and carriage return, lone surrogates, U+FFFE and U+FFFF.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """`value` with what XML 1.0 cannot carry dropped: the text is stored as written, only the XML leaves it out."""
    return NOT_XML.sub("", value)


def to_xml(root: str, item: str, rows: list[dict]) -> bytes:
    """A list of dicts as the standard's XML (<services><service>…, <service_requests><request>…)."""
    top = ET.Element(root)
    for row in rows:
        element = ET.SubElement(top, item)
        for key, value in row.items():
            child = ET.SubElement(element, key)
            if isinstance(value, bool):
                child.text = "true" if value else "false"
            elif value is not None:
                child.text = xml_text(str(value))
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8")
