from django.core.management.base import BaseCommand, CommandError

from milestones.signoff import signoff_chain_verify


class Command(BaseCommand):
    help = (
        "Recomputes the hash of every sign-off record and checks the chain that links them. "
        "Exits 0 when all are intact; otherwise names the first broken record and exits 1."
    )

    def handle(self, *args: object, **options: object) -> None:
        checked, problems = signoff_chain_verify()
        for problem in problems:
            self.stderr.write(f"Sign-off {problem.signoff_id}: {problem.reason}")
        if problems:
            first = problems[0]
            raise CommandError(
                f"{len(problems)} problem(s) in {checked} sign-off records; the first broken "
                f"record is sign-off {first.signoff_id}: {first.reason}."
            )
        self.stdout.write(self.style.SUCCESS(f"{checked} sign-off records intact."))
