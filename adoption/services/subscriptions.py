"""A reader's own subscriptions: what "What I follow" (``/our/following/``) writes. Anyone who
reads the adoption layer follows families, use cases and deployments for themselves (their
"mine" feed); a team's subscriptions, through its webhook, stay with editors in the admin."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from adoption.choices import EventKind
from adoption.models import Subscription
from adoption.services.events import SUBJECTS

# What a reader may follow: every kind but the webhooks' test message.
FOLLOWABLE_KINDS = tuple(kind for kind in EventKind if kind != EventKind.TEST)

# Error messages users see (constants: the tests assert on them).
ONE_SUBJECT = _("Follow one thing at a time: a family, a use case or a deployment.")
ALREADY_FOLLOWED = _("You already follow this, with these kinds of event.")
NOT_FOLLOWABLE = _("“%(value)s” is not a kind of event you can follow.")


def subscription_follow(*, user, kinds=(), family=None, use_case=None, deployment=None):
    """Subscribe ``user`` to the events of ``kinds`` (none, or all of them: every kind) about
    one family, use case or deployment, or about everything when none is given.

    Raises :class:`ValidationError` naming the field (nothing is written): two subjects at
    once, a kind that cannot be followed, or a subscription ``user`` already holds.
    """
    subjects = {"family": family, "use_case": use_case, "deployment": deployment}
    chosen = [name for name in SUBJECTS if subjects[name] is not None]
    if len(chosen) > 1:
        raise ValidationError({chosen[1]: ONE_SUBJECT}, code="one_subject")
    unknown = [kind for kind in kinds if kind not in FOLLOWABLE_KINDS]
    if unknown:
        raise ValidationError(
            {"kinds": ValidationError(NOT_FOLLOWABLE, params={"value": unknown[0]})},
            code="not_followable",
        )
    # One spelling per choice: ticking every kind is following every kind.
    kinds = sorted(set(kinds)) if set(kinds) != set(FOLLOWABLE_KINDS) else []
    with transaction.atomic():
        if Subscription.objects.filter(user=user, kinds=kinds, **subjects).exists():
            raise ValidationError(
                {chosen[0] if chosen else "kinds": ALREADY_FOLLOWED}, code="already_followed"
            )
        subscription = Subscription(user=user, kinds=kinds, **subjects)
        subscription.full_clean()
        subscription.save()
    return subscription


def subscription_stop(*, user, subscription_id: int) -> bool:
    """Delete one of ``user``'s own subscriptions; False when they hold none of that id (a
    team's subscription, or another reader's, is never theirs to stop)."""
    deleted, _rows = Subscription.objects.filter(pk=subscription_id, user=user).delete()
    return bool(deleted)
