"""Settings come from the environment and fail loudly; production settings pass --deploy."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 20 + "-production-test-key-0123456789-abcdefghij",
    "ALLOWED_HOSTS": "progress.example.com",
    "DATABASE_URL": os.environ.get("DATABASE_URL", "sqlite:////tmp/cp-deploy-check.sqlite3"),
    "EMAIL_URL": "smtp://mailer:secret@smtp.example.com:587",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # Only what a production process would have: nothing the test run itself set but its own
    # folder (settings create the broker folders in it, never in the checkout's var/).
    kept = ("PATH", "HOME", "LANG", "VAR_DIR")
    clean = {k: os.environ[k] for k in kept if k in os.environ}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_passes_with_production_settings() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_refuses_to_start_without_secret_key_when_debug_is_off() -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_bad_boolean_in_the_environment_is_refused() -> None:
    result = manage("check", env=PRODUCTION | {"SECURE_SSL_REDIRECT": "perhaps"})
    assert result.returncode != 0
