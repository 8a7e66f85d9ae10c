"""A coarse name for the browser behind a session: "Firefox on Linux", nothing finer.

The version, the device model and the rest of the user agent would help to tell one person's
machines apart; the sessions page only needs the owner to recognise "that is my phone".
"""

from ua_parser import parse

UNKNOWN = "Other"
# The user agent is attacker-controlled; a bounded prefix is plenty to recognise a browser.
MAX_USER_AGENT = 512


def device_label(user_agent: str) -> str:
    result = parse(user_agent[:MAX_USER_AGENT])
    browser = result.user_agent.family if result.user_agent else UNKNOWN
    system = result.os.family if result.os else UNKNOWN
    if browser == UNKNOWN and system == UNKNOWN:
        return ""
    return f"{browser} · {system}"[:80]
