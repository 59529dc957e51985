from django.core.management.base import BaseCommand, CommandError, CommandParser

from clientprogress import catalogues


class Command(BaseCommand):
    help = (
        "Extracts every msgid from our Python code and templates and merges them into "
        "locale/*/LC_MESSAGES/django.po: translations are kept, new msgids come in untranslated. "
        "Needs no GNU gettext."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--locale",
            "-l",
            action="append",
            default=[],
            help="Also create or update this locale's catalogue (e.g. zh_Hans). Repeatable.",
        )
        parser.add_argument(
            "--no-obsolete",
            action="store_true",
            help="Drop the msgids the code no longer has instead of keeping them as #~ entries.",
        )

    def handle(
        self, *args: object, locale: list[str], no_obsolete: bool, **options: object
    ) -> None:
        paths = sorted(set(catalogues.po_paths()) | {catalogues.po_path(name) for name in locale})
        if not paths:
            raise CommandError("No catalogue yet: name a locale with --locale, e.g. -l zh_Hans.")
        template = catalogues.extract_catalogue()
        total = len([message for message in template if message.id])
        for path in paths:
            added, dropped = catalogues.update_catalogue(
                path, template, keep_obsolete=not no_obsolete
            )
            untranslated = [
                message
                for message in catalogues.read_catalogue(path)
                if message.id and not catalogues.is_translated(message)
            ]
            self.stdout.write(
                f"{catalogues.shown(path)}: {total} msgids, {len(added)} new, "
                f"{len(untranslated)} untranslated, {len(dropped)} obsolete"
            )
            for message in untranslated:
                self.stdout.write(f"  untranslated: {catalogues.msgid_text(message)!r}")
