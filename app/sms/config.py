"""What the deployment's settings say about SMS and voice notices, and what is wrong with them.

Problems are found without the network when the app starts (logged) and, with the provider's own
record of each template, when the worker starts and on the staff page (/sms/): a missing key or an
unknown template shows there, not at the first send.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

log = logging.getLogger(__name__)

OPT_OUT_WORDS = ("回T退订", "退订")  # a template must tell people how to stop: China's rules for SMS


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the configuration: the setting at fault and what is wrong, in the staff's language."""

    setting: str
    message: str


def configured(config) -> bool:
    """True when SMS_PROVIDER names a provider (SMS is on, whether or not its settings are complete)."""
    return bool(config.get("SMS_PROVIDER"))


def static_problems(config) -> list[Problem]:
    """What is missing from the settings (no network): keys, signature, the notice template."""
    if not configured(config):
        return []
    missing = [name for name in ("SMS_ACCESS_KEY_ID", "SMS_ACCESS_KEY_SECRET", "SMS_SIGN_NAME", "SMS_TEMPLATE_NOTICE")
               if not config.get(name)]
    return [Problem(name, str(_l("%(setting)s is not set.", setting=name))) for name in missing]


def ready(config) -> bool:
    """True when SMS may be written to the outbox: a provider and every setting it needs."""
    return configured(config) and not static_problems(config)


def template_problems(provider, config) -> list[Problem]:
    """Ask the provider about each SMS template set: known, approved, with the opt-out words and the parameters."""
    problems = []
    for setting in ("SMS_TEMPLATE_NOTICE", "SMS_TEMPLATE_EVENT"):
        if config.get(setting):
            problems += _template_problems(provider, setting, config[setting])
    return problems


def _template_problems(provider, setting: str, code: str) -> list[Problem]:
    try:
        template = provider.sms_template(code)
    except Exception as exc:  # the provider unreachable: say so, do not stop the app
        return [Problem(setting, str(_l("The provider could not be asked about template %(code)s: %(error)s",
                                        code=code, error=f"{type(exc).__name__}: {exc}"[:200])))]
    if template.problems:
        return [Problem(setting, str(_l("The provider does not know template %(code)s: %(error)s",
                                        code=code, error="; ".join(template.problems))))]
    problems = []
    if not template.approved:
        problems.append(Problem(setting, str(_l("Template %(code)s is not approved yet.", code=code))))
    if not any(word in template.content for word in OPT_OUT_WORDS):
        problems.append(Problem(setting, str(
            _l("Template %(code)s does not tell people to reply T to opt out (回T退订).", code=code))))
    for name in ("title", "link"):
        if "${" + name + "}" not in template.content:
            problems.append(Problem(setting, str(
                _l("Template %(code)s has no parameter ${%(name)s}.", code=code, name=name))))
    return problems


_checked: dict[tuple, tuple[float, list[Problem]]] = {}
CHECK_EVERY = 600.0  # seconds a template check is kept (the staff page asks the provider at most this often)


def all_problems(config, provider_factory) -> list[Problem]:
    """Static problems, then (when there are none) the provider's answer about the templates, cached a while."""
    problems = static_problems(config)
    if problems or not configured(config):
        return problems
    key = (config.get("SMS_PROVIDER"), config.get("SMS_ENDPOINT"), config.get("SMS_TEMPLATE_NOTICE"),
           config.get("SMS_TEMPLATE_EVENT"), config.get("SMS_ACCESS_KEY_ID"))
    cached = _checked.get(key)
    if cached is None or time.monotonic() - cached[0] > CHECK_EVERY:
        cached = _checked[key] = (time.monotonic(), template_problems(provider_factory(config), config))
    return cached[1]


def log_problems(problems: list[Problem]) -> None:
    """Write each problem to the log (at start-up and when the worker starts)."""
    for problem in problems:
        log.error("SMS configuration: %s: %s", problem.setting, problem.message)
