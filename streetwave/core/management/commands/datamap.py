"""Show the data map (streetwave/core/datamap.py): how many models and fields it declares, or,
with --markdown, the field table of docs/privacy.md, in English. A test fails when the committed
table differs from this output: after changing a declaration, paste it between the markers
there.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from streetwave.core import datamap


class Command(BaseCommand):
    help = "Show the data map; --markdown prints the table of docs/privacy.md."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--markdown", action="store_true", help="print the field table as Markdown"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["markdown"]:
            with translation.override("en"):
                self.stdout.write(datamap.markdown(), ending="")
            return
        maps = datamap.maps()
        personal = sum(len(model_map.fields) for model_map in maps)
        not_personal = sum(len(model_map.not_personal) for model_map in maps)
        expiring = sum(1 for model_map in maps if model_map.expires is not None)
        self.stdout.write(
            f"{len(maps)} models: {personal} personal fields, {not_personal} declared not "
            f"personal; {expiring} models with a retention rule"
        )
