"""Load or refresh countries and cities from the offline gazetteer; safe to run on every start."""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from streetwave.places.services import UnknownCountryCode, load_places


class Command(BaseCommand):
    help = _(
        "Load countries and cities (GeoNames, CC BY) from the offline gazetteer. "
        "Running it again only applies what changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--countries",
            default="",
            help=_("Comma-separated ISO codes to load, e.g. DE,IR (default: all)."),
        )
        parser.add_argument(
            "--min-population",
            type=int,
            default=15000,
            help=_("Leave out cities with fewer people (default: 15000)."),
        )

    def handle(self, *args, **options) -> None:
        codes = [code for code in options["countries"].split(",") if code.strip()]
        started = time.perf_counter()
        try:
            countries, cities = load_places(
                min_population=options["min_population"], countries=codes or None
            )
        except UnknownCountryCode as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            _("Countries loaded: %(countries)d. Cities loaded: %(cities)d. Time: %(seconds).1f s.")
            % {"countries": countries, "cities": cities, "seconds": time.perf_counter() - started}
        )
