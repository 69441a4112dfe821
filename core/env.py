"""Typed environment helpers: every setting read from the environment goes through one.

Each helper fails loudly with the variable's name and the bad value instead of silently
falling back. ``NAME_FILE`` is read in place of ``NAME`` when set (Docker/Kubernetes secrets).
"""

import os
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ImproperlyConfiguredEnv(ValueError):
    """An environment variable is missing or holds a value that cannot be used."""


_MISSING = object()


def _raw(name: str) -> str | None:
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfiguredEnv(
                f"{name}_FILE points at {file_name!r}, which cannot be read: {exc.strerror}"
            ) from exc
    return os.environ.get(name)


def env_str(name: str, default: object = _MISSING) -> str:
    """Return the string value of ``name``; without a default, a missing value is an error."""
    value = _raw(name)
    if value is None:
        if default is _MISSING:
            raise ImproperlyConfiguredEnv(f"{name} must be set.")
        return default  # type: ignore[return-value]
    return value


def env_bool(name: str, default: bool) -> bool:
    """Return ``name`` as a boolean: 1/true/yes/on or 0/false/no/off (any case)."""
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfiguredEnv(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """Return ``name`` as an integer, optionally not below ``minimum``."""
    value = _raw(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperlyConfiguredEnv(f"{name} must be an integer; got {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfiguredEnv(f"{name} must be at least {minimum}; got {number}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    """Return ``name`` split on commas, blanks dropped."""
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: list[str]) -> str:
    """Return ``name`` if it is one of ``choices``."""
    value = env_str(name, default)
    if value not in choices:
        raise ImproperlyConfiguredEnv(f"{name} must be one of {', '.join(choices)}; got {value!r}.")
    return value


def env_url(name: str, default: object = _MISSING, *, schemes: tuple[str, ...]) -> str:
    """Return ``name`` as a URL whose scheme is one of ``schemes``."""
    value = env_str(name, default)
    if value is None or value == "":
        return value
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if scheme not in schemes:
        raise ImproperlyConfiguredEnv(
            f"{name} must be a URL starting with {' or '.join(s + '://' for s in schemes)}; "
            f"got scheme {scheme or '(none)'!r}."
        )
    return value


def env_crontab(name: str, default: str) -> dict[str, str] | None:
    """Return ``name`` as the five fields of a cron line (minute hour day month weekday), as
    keyword arguments for ``celery.schedules.crontab``; ``off`` returns None."""
    value = env_str(name, default).strip()
    if value.lower() == "off":
        return None
    fields = value.split()
    if len(fields) != 5:
        raise ImproperlyConfiguredEnv(
            f"{name} must be five cron fields (minute hour day month weekday) or 'off'; "
            f"got {value!r}."
        )
    keys = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
    return dict(zip(keys, fields, strict=True))
