import pytest

from core.env import (
    ImproperlyConfiguredEnv,
    env_bool,
    env_choice,
    env_crontab,
    env_int,
    env_list,
    env_str,
    env_url,
)


@pytest.mark.parametrize("value", ["maybe", "2", "enabled"])
def test_env_bool_rejects_a_word_it_does_not_know(monkeypatch, value):
    monkeypatch.setenv("FLAG", value)
    with pytest.raises(ImproperlyConfiguredEnv, match="FLAG must be one of"):
        env_bool("FLAG", default=False)


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("Off", False), ("YES", True)])
def test_env_bool_reads_the_usual_spellings(monkeypatch, value, expected):
    monkeypatch.setenv("FLAG", value)
    assert env_bool("FLAG", default=not expected) is expected


def test_env_int_rejects_text(monkeypatch):
    monkeypatch.setenv("WORKERS", "three")
    with pytest.raises(ImproperlyConfiguredEnv, match="WORKERS must be an integer; got 'three'"):
        env_int("WORKERS", default=1)


def test_env_int_rejects_values_below_the_minimum(monkeypatch):
    monkeypatch.setenv("WORKERS", "-1")
    with pytest.raises(ImproperlyConfiguredEnv, match="WORKERS must be at least 0"):
        env_int("WORKERS", default=1, minimum=0)


def test_env_str_without_default_requires_the_variable(monkeypatch):
    monkeypatch.delenv("SECRET", raising=False)
    with pytest.raises(ImproperlyConfiguredEnv, match="SECRET must be set"):
        env_str("SECRET")


def test_env_str_reads_a_secret_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("SECRET_FILE", str(secret))
    assert env_str("SECRET") == "s3cret"


def test_env_str_names_an_unreadable_secret_file(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfiguredEnv, match="SECRET_FILE points at"):
        env_str("SECRET")


def test_env_url_rejects_another_scheme(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:///db.sqlite3")
    with pytest.raises(ImproperlyConfiguredEnv, match="DATABASE_URL must be a URL starting with"):
        env_url("DATABASE_URL", default="", schemes=("postgres", "postgresql"))


def test_env_choice_rejects_an_unknown_choice(monkeypatch):
    monkeypatch.setenv("MODE", "fast")
    with pytest.raises(ImproperlyConfiguredEnv, match="MODE must be one of a, b"):
        env_choice("MODE", default="a", choices=["a", "b"])


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example, b.example,,")
    assert env_list("HOSTS", default=[]) == ["a.example", "b.example"]


def test_env_crontab_gives_crontab_fields_or_none_when_off(monkeypatch):
    monkeypatch.setenv("SCHEDULE", "15 3 * * 1-5")
    assert env_crontab("SCHEDULE", "0 0 * * *") == {
        "minute": "15",
        "hour": "3",
        "day_of_month": "*",
        "month_of_year": "*",
        "day_of_week": "1-5",
    }
    monkeypatch.setenv("SCHEDULE", "OFF")
    assert env_crontab("SCHEDULE", "0 0 * * *") is None


def test_env_crontab_names_a_line_that_is_not_five_fields(monkeypatch):
    monkeypatch.setenv("SCHEDULE", "daily")
    with pytest.raises(ImproperlyConfiguredEnv, match="SCHEDULE must be five cron fields"):
        env_crontab("SCHEDULE", "0 0 * * *")
