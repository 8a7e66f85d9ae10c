import logging

from streetwave.core.logging import RedactSecretPaths


def test_secret_links_are_redacted_from_log_lines():
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Not Found: %s",
        ("/fa/rsvp/Xy3-secret_token/",),
        None,
    )
    assert RedactSecretPaths().filter(record)
    assert record.getMessage() == "Not Found: /fa/rsvp/-/"
    for path in (
        "/en/hubs/start/verify/abc123/",
        "/de/accounts/invitation/abc123/",
        "/fa/news/unsubscribe/abc123/",
    ):
        record = logging.LogRecord("x", logging.WARNING, __file__, 1, path, (), None)
        RedactSecretPaths().filter(record)
        assert "abc123" not in record.getMessage()


def test_the_console_handler_of_the_settings_redacts():
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)]
    assert any(isinstance(f, RedactSecretPaths) for handler in handlers for f in handler.filters)
