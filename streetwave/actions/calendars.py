"""RFC 5545 calendars of actions. They carry the public facts only: never a participant, never
the private meeting point, and of an action filed after the fact only its day and its city."""

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from streetwave.core.hosts import site_url
from streetwave.core.i18n import join_words

from .models import Action

STATUS = {
    Action.Status.PUBLISHED: "CONFIRMED",
    Action.Status.COMPLETED: "CONFIRMED",
    Action.Status.CANCELLED: "CANCELLED",
    # Reported by its hub as not having taken place: for a calendar, it was called off.
    Action.Status.NOT_HELD: "CANCELLED",
}


def build_calendar(actions, *, name: str, site: str) -> bytes:
    """The calendar of `actions`, whose events link to their pages at `site` (the name of the
    instance its reader came by: core.hosts)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Streetwave//Streetwave//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    stamp = timezone.now()
    for action in actions:
        event = Event()
        event.add("uid", f"{action.public_id}@streetwave")
        event.add("dtstamp", stamp)
        if action.after_the_fact:
            # Filed after it happened inside a high-risk country: a whole day, in its city.
            event.add("dtstart", action.local_start.date())
            event.add("dtend", action.local_end.date())
            event.add("location", action.city.display_name())
        else:
            event.add("dtstart", action.local_start)
            event.add("dtend", action.local_end)
            event.add("location", join_words([action.place, action.city.display_name()]))
        event.add("summary", action.title)
        event.add("url", site + reverse("actions:detail", args=[action.public_id]))
        event.add("status", STATUS.get(action.status, "TENTATIVE"))
        event.add("last-modified", action.updated_at)
        calendar.add_component(event)
    # VTIMEZONE components for every zone the events use, so clients need no zone database.
    calendar.add_missing_timezones()
    return calendar.to_ical()


def calendar_response(request: HttpRequest, actions, *, name: str, filename: str) -> HttpResponse:
    response = HttpResponse(
        build_calendar(actions, name=name, site=site_url(request)),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'inline; filename="{filename}.ics"'
    response["Cache-Control"] = "public, max-age=300"
    return response
