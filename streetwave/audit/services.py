from .models import AuditEntry


def record(verb: str, *, actor=None, target=None, hub=None, data: dict | None = None) -> AuditEntry:
    """Append one entry. `verb` is dotted (`rsvp.created`); `data` must hold no personal data:
    public ids and counts only, never contacts or pseudonyms."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=target.public_id if target is not None else "",
        hub_id=hub.public_id if hub is not None else "",
        data=data or {},
    )
