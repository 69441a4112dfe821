"""The bodies of outgoing webhooks: the event as our JSON, a Slack message (Block Kit) or a
Microsoft Teams message (an Adaptive Card). ``adoption.services.webhooks`` signs and sends
them."""

from __future__ import annotations

import json
from datetime import UTC

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from adoption.choices import EventKind, WebhookFormat
from adoption.models import Event, Webhook

# A Slack section's text holds at most 3000 characters
# (https://api.slack.com/reference/block-kit/blocks#section).
SLACK_TEXT_CHARACTERS = 3000
KIND_LABEL = _("Event")
OCCURRED_LABEL = _("When")
OPEN_LABEL = _("Open in the registry")

# The links an event may carry, with the field that names each in a body.
SUBJECT_NAMES = {
    "family": "slug",
    "version": "slug",
    "variant": "slug",
    "use_case": "slug",
    "approval": None,
    "deployment": "name",
}


def event_url(event: Event) -> str:
    """The event's link: absolute under ``REGISTRY_SITE_URL`` where that is set, else the path
    (Slack and Teams then show no link: they only open absolute addresses)."""
    base = getattr(settings, "REGISTRY_SITE_URL", "").rstrip("/")
    if not event.path:
        return base + "/" if base else ""
    return base + event.path if base else event.path


def webhook_body(webhook: Webhook, event: Event) -> bytes:
    """The UTF-8 JSON body ``webhook`` is sent for ``event``, in the webhook's format. Reads the
    event's subjects: select them with the event."""
    builders = {
        WebhookFormat.JSON: _json_body,
        WebhookFormat.SLACK: _slack_body,
        WebhookFormat.TEAMS: _teams_body,
    }
    document = builders[WebhookFormat(webhook.format)](event)
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _subjects(event: Event) -> dict:
    subjects = {}
    for name, label in SUBJECT_NAMES.items():
        if getattr(event, f"{name}_id") is None:
            continue
        subject = getattr(event, name)
        subjects[name] = {"id": subject.pk}
        if label:
            subjects[name][label] = getattr(subject, label)
    return subjects


def _json_body(event: Event) -> dict:
    return {
        "id": event.pk,
        "kind": event.kind,
        "title": event.title,
        "summary": event.summary,
        "url": event_url(event),
        "occurred_at": event.occurred_at.isoformat(),
        "subjects": _subjects(event),
        "payload": event.payload,
    }


def _occurred(event: Event) -> str:
    return f"{event.occurred_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _slack_escaped(text: str) -> str:
    # The three characters Slack's markup reserves (https://api.slack.com/docs/formatting).
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_body(event: Event) -> dict:
    """An incoming webhook message: ``text`` is the notification's fallback, ``blocks`` the
    message shown (https://api.slack.com/messaging/webhooks)."""
    url = event_url(event)
    title = _slack_escaped(event.title)
    heading = f"*<{url}|{title}>*" if url.startswith(("http://", "https://")) else f"*{title}*"
    text = heading
    if event.summary:
        text += "\n" + _slack_escaped(event.summary)
    label = EventKind(event.kind).label
    return {
        "text": f"{label}: {title}",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": text[:SLACK_TEXT_CHARACTERS]}},
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"{label} · {_occurred(event)}"}],
            },
        ],
    }


def _teams_body(event: Event) -> dict:
    """An Adaptive Card in a message, the body Teams' incoming webhooks and its Workflows'
    "When a Teams webhook request is received" accept (https://learn.microsoft.com/en-us/
    microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using
    #send-adaptive-cards-using-an-incoming-webhook); Action.OpenUrl is one they support."""
    url = event_url(event)
    body: list[dict] = [
        {
            "type": "TextBlock",
            "text": event.title,
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        }
    ]
    if event.summary:
        body.append({"type": "TextBlock", "text": event.summary, "wrap": True})
    body.append(
        {
            "type": "FactSet",
            "facts": [
                {"title": str(KIND_LABEL), "value": str(EventKind(event.kind).label)},
                {"title": str(OCCURRED_LABEL), "value": _occurred(event)},
            ],
        }
    )
    card: dict = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.2",
        "body": body,
    }
    if url.startswith(("http://", "https://")):
        card["actions"] = [{"type": "Action.OpenUrl", "title": str(OPEN_LABEL), "url": url}]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }
