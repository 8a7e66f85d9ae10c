from types import SimpleNamespace

from streetwave.core.mail import render_mail


def render_relay(body: str, language: str = "en"):
    action = SimpleNamespace(title="Rally", public_id="x")
    return render_mail(
        "actions/mail/relay",
        {"message": SimpleNamespace(body=body), "action": action, "action_url": "http://s/a/x/"},
        language=language,
    )


def test_the_html_part_escapes_what_organizers_typed_and_links_only_urls():
    mail = render_relay('Bring <b>signs</b> & water: "see https://example.org/a?b=1&c=2"')

    assert "<b>signs</b> & water" in mail.text
    assert "&lt;b&gt;signs&lt;/b&gt; &amp; water" in mail.html
    assert "<b>" not in mail.html
    assert '<a href="https://example.org/a?b=1&amp;c=2"' in mail.html


def test_the_html_part_carries_the_language_and_its_direction():
    assert '<html lang="fa" dir="rtl">' in render_relay("سلام", "fa").html
    assert '<html lang="de" dir="ltr">' in render_relay("Hallo", "de").html
