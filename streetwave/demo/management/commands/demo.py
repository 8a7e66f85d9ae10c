"""`manage.py demo`: load the demo day of action (see streetwave.demo.world)."""

import datetime as dt
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from streetwave.campaigns.models import Campaign
from streetwave.demo.world import SIZES, SLUG, build_demo
from streetwave.places.models import City
from streetwave.places.services import load_places

# Demo accounts sign in with a second factor too: any authenticator app takes the secret.
TOTP_HINT = (
    "for the code, add the TOTP secret to an authenticator app, or run: python3 -c "
    '"import base64,hmac,struct,sys,time; h=hmac.digest(base64.b32decode(sys.argv[1]), '
    "struct.pack('>Q', int(time.time()) // 30), 'sha1'); o=h[-1] & 15; "
    "print('%06d' % ((int.from_bytes(h[o:o+4], 'big') & 0x7fffffff) % 10**6))\" SECRET"
)


class Command(BaseCommand):
    help = "Load a realistic demo campaign with hubs, actions and RSVPs, happening today."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when a campaign exists already (what `make run` uses).",
        )
        parser.add_argument("--size", choices=sorted(SIZES), default="small")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--day",
            type=dt.date.fromisoformat,
            default=None,
            help="The campaign day (YYYY-MM-DD); today in UTC by default, so the demo is live.",
        )

    def handle(self, *args, **options):
        if options["if_empty"] and Campaign.objects.exists():
            self.stdout.write("A campaign exists already; the demo was not loaded.")
            return
        if Campaign.objects.filter(slug=SLUG).exists():
            raise CommandError(f"The demo campaign {SLUG!r} exists already; use a fresh database.")
        began = time.perf_counter()
        if not City.objects.exists():
            countries, cities = load_places()
            self.stdout.write(
                f"Places: {countries} countries, {cities:,} cities "
                f"in {time.perf_counter() - began:.1f} s."
            )
        day = options["day"] or dt.datetime.now(dt.UTC).date()
        summary = build_demo(SIZES[options["size"]], seed=options["seed"], day=day)
        rsvps = summary.rsvps
        self.stdout.write(
            f"Demo campaign {SLUG!r} on {day}: {summary.countries} countries, "
            f"{summary.cities} cities, {summary.hubs} hubs ({summary.max_depth + 1} levels), "
            f"{summary.actions} actions ({summary.published} published), "
            f"{sum(rsvps.values()):,} RSVPs ({rsvps['going']:,} going, "
            f"{rsvps['waitlisted']:,} waitlisted, {rsvps['cancelled']:,} cancelled) "
            f"in {time.perf_counter() - began:.1f} s."
        )
        if summary.inside:
            self.stdout.write(
                f"Inside the high-risk country: {summary.inside} actions reported after the "
                "fact (public once verified and a day has passed)."
            )
        for email, password, secret, role in summary.organizers:
            self.stdout.write(
                f"Demo organizer ({role}): {email} / password: {password} / TOTP secret: {secret}"
            )
        if summary.organizers:
            self.stdout.write(f"Sign in at {settings.SITE_URL}/en/accounts/login/; {TOTP_HINT}")
        if summary.manage_path:
            self.stdout.write(
                f"Try the manage page of one demo RSVP: {settings.SITE_URL}{summary.manage_path}"
            )
