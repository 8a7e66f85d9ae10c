import datetime as dt

from django.conf import settings
from django.utils import timezone

from .models import LAST_SEEN_STEP, User, UserSession


def get_sessions_for(user: User) -> list[UserSession]:
    """The sessions of `user` that could still make a request: open, not past their limits."""
    now = timezone.now()
    return list(
        UserSession.objects.open().filter(
            user=user,
            created_at__gte=now - dt.timedelta(seconds=settings.ORGANIZER_SESSION_MAX_AGE),
            last_seen_at__gte=now
            - dt.timedelta(seconds=settings.ORGANIZER_IDLE_TIMEOUT)
            - LAST_SEEN_STEP,
        )
    )
