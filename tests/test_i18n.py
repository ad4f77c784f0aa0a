"""Chinese first, English available; every message translated; times in Asia/Shanghai."""
from datetime import UTC, datetime

from app.i18n import local_time
from app.i18n_catalogs import catalog_path, extract_messages, read_catalog


def test_every_message_has_a_chinese_translation():
    missing = []
    for owner, messages in extract_messages().items():
        catalog = read_catalog(catalog_path(owner, "zh_Hans_CN"), "zh_Hans_CN")
        for msgid, locations in messages.items():
            message = catalog.get(msgid)
            if message is None or not message.string:
                missing.append(f"{locations[0][0]}:{locations[0][1]} {msgid}")
    assert not missing, "untranslated (run `flask --app wsgi translate update`):\n" + "\n".join(missing)


def test_a_message_means_the_same_in_every_catalog():
    """Flask-Babel merges the catalogs into one, so a msgid translated two ways shows one of them
    on every page: the feature that wanted the other wording silently loses it."""
    wordings: dict[str, dict[str, str]] = {}
    for owner, messages in extract_messages().items():
        catalog = read_catalog(catalog_path(owner, "zh_Hans_CN"), "zh_Hans_CN")
        for msgid in messages:
            message = catalog.get(msgid)
            if message is not None and message.string:
                wordings.setdefault(msgid, {})[owner or "shared"] = str(message.string)
    clashes = [f"{msgid!r}: {by_owner}" for msgid, by_owner in sorted(wordings.items())
               if len(set(by_owner.values())) > 1]
    assert not clashes, "one msgid, several translations (use a distinct msgid):\n" + "\n".join(clashes)


def test_times_are_shown_in_shanghai(app):
    with app.test_request_context():
        assert local_time(datetime(2026, 9, 22, 23, 33, tzinfo=UTC)) == "2026-09-23 07:33"
