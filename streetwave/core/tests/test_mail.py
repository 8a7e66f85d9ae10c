from types import SimpleNamespace

from streetwave.core.mail import render_mail


def render_relay(body: str, language: str = "en"):
    action = SimpleNamespace(title="Rally", public_id="x")
    return render_mail(
        "actions/mail/relay",
        {"message": SimpleNamespace(body=body), "action": action, "action_url": "http://s/a/x/"},
        language=language,
    )


def test_the_html_part_escapes_what_organizers_typed_and_links_only_the_sites_own_urls(
    settings,
):
    site = settings.SITE_URL
    mail = render_relay(
        'Bring <b>signs</b> & water: "see https://example.org/a?b=1&c=2"'
        f" or {site}/en/a/x/?b=1&c=2."
        f" Not {site}.example.net/phish or {site}@example.net/phish"
    )

    assert "<b>signs</b> & water" in mail.text
    assert "&lt;b&gt;signs&lt;/b&gt; &amp; water" in mail.html
    assert "<b>" not in mail.html
    # the site's own address is a link (without the full stop that ends the sentence)
    assert f'<a href="{site}/en/a/x/?b=1&amp;c=2">' in mail.html
    # what an organizer typed pointing elsewhere stays text, however it is dressed up
    assert "https://example.org/a?b=1&amp;c=2" in mail.html
    assert mail.html.count("<a ") == 1


def test_the_html_part_carries_the_language_and_its_direction():
    assert '<html lang="fa" dir="rtl">' in render_relay("سلام", "fa").html
    assert '<html lang="de" dir="ltr">' in render_relay("Hallo", "de").html
