"""A photo over the per-person upload limit waits in the outbox and goes later (Chromium, engine alone)."""
import base64
import io

import pytest
from PIL import Image
from sqlalchemy import select

from app.extensions import db, limiter
from app.sync.models import SyncMutation
from app.uploads.models import Attachment
from tests.browser.test_sync_outbox import FLUSH, head, notes, synced_once  # noqa: F401 — head: a fixture
from tests.sync import mutations  # noqa: F401 — registers "test.note" in the live server (same process)

pytestmark = pytest.mark.browser

PENDING = "() => import('/static/js/outbox.js').then((o) => o.pending())"


def png_base64(colour) -> str:
    """A small PNG, as base64 for the page."""
    out = io.BytesIO()
    Image.new("RGB", (60, 40), colour).save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


def test_a_photo_refused_with_429_stays_queued_and_is_sent_on_a_later_flush(app, page, sign_in, head, monkeypatch):  # noqa: F811
    user, household = head
    monkeypatch.setitem(app.config, "UPLOAD_RATE_LIMIT", "1 per minute")
    sign_in(user.phone)
    synced_once(page)
    page.evaluate("""async ([id, first, second]) => {
        const o = await import('/static/js/outbox.js');
        const file = (b64, name) => new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name,
                                             {type: 'image/png'});
        await navigator.locks.request('siheyuan-flush', () => o.enqueue('test.note', {household_id: id, text: '两张照片'},
                                                                         [file(first, 'a.png'), file(second, 'b.png')]));
    }""", [household.id, png_base64((200, 0, 0)), png_base64((0, 0, 200))])
    page.evaluate(FLUSH)  # the first photo goes, the second is answered 429: the flush stops there
    waiting = page.evaluate(PENDING)
    assert len(waiting) == 1 and waiting[0]["status"] == "waiting"
    assert len(waiting[0]["payload"]["attachments"]) == 2 and not waiting[0].get("file_errors")
    assert notes(household.id) == [] and db.session.query(Attachment).count() == 1
    limiter.reset()  # the minute has passed
    page.evaluate(FLUSH)
    assert page.evaluate(PENDING) == []
    assert notes(household.id) == ["两张照片"]
    db.session.rollback()
    record = db.session.scalar(select(SyncMutation).where(SyncMutation.type == "test.note"))
    assert len(record.result["entity"]["attachments"]) == 2
