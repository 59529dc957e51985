"""Settings come from the environment and fail loudly; production settings pass --deploy."""

from tests.support import PRODUCTION, manage


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
