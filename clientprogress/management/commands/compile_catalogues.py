from django.core.management.base import BaseCommand, CommandError, CommandParser

from clientprogress import catalogues


class Command(BaseCommand):
    help = (
        "Compiles every locale/*/LC_MESSAGES/*.po into the .mo Django reads, without GNU "
        "gettext. Fuzzy entries and translations whose placeholders differ from the msgid's are "
        "left out (they show in English) and listed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Fail when an entry is left out or a msgid has no translation.",
        )

    def handle(self, *args: object, strict: bool, **options: object) -> None:
        paths = catalogues.po_paths() + catalogues.po_paths("djangojs")
        problems = 0
        for po in paths:
            compiled = catalogues.compile_catalogue(po)
            self.stdout.write(
                f"{catalogues.shown(po)}: {compiled.messages} msgids, "
                f"{len(compiled.untranslated)} untranslated, {len(compiled.refused)} left out"
            )
            for msgid, reasons in compiled.refused.items():
                self.stderr.write(f"  left out {msgid!r}: {'; '.join(reasons)}")
            problems += len(compiled.refused) + len(compiled.untranslated)
        if strict and problems:
            raise CommandError(f"{problems} entries are untranslated, fuzzy or broken.")
