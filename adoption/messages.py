"""The message the pure cores give (``adoption.recipes``, ``adoption.manifests``): an English
template of theirs and its parameters, which the service layer shows translated.

Pure: the standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    """An English message template and its parameters (``template % params``)."""

    template: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def text(self) -> str:
        return self.template % dict(self.params)


def message(template: str, **params: object) -> Message:
    """``template`` with ``params`` as text, in name order (a message compares equal to the same
    message built again)."""
    return Message(template, tuple((k, str(v)) for k, v in sorted(params.items())))
