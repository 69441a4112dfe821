"""Ingestion: the publishers we watch upstream, each ingest run, and the release candidates
it prepares for editors to review. Nothing here is published data: a candidate only becomes
part of the catalog when an editor approves it (``curation/services/review.py``)."""

import fnmatch

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.history import track_history

FEED_NEEDS_LOCATION = _("A feed needs the address or path of the export to follow.")
LOCATION_ONLY_FOR_FEEDS = _("Only a feed has a location; hubs are reached at their endpoint.")


class IngestSource(models.TextChoices):
    HUGGING_FACE = "hf", _("Hugging Face Hub")
    MODELSCOPE = "modelscope", _("ModelScope")
    FEED = "feed", _("Registry export feed")


@track_history()
class WatchedPublisher(models.Model):
    """An upstream author (or another registry's export feed) whose new releases we ingest."""

    source = models.CharField(_("source"), max_length=16, choices=IngestSource.choices)
    author = models.CharField(
        _("author"),
        max_length=100,
        help_text=_(
            "The author or organisation name upstream (Qwen, meta-llama); for a feed, a name."
        ),
    )
    feed_location = models.CharField(
        _("feed location"),
        max_length=500,
        blank=True,
        help_text=_(
            "Feeds only: the URL of another registry's /api/v1/export/, or a file or folder of "
            "exports on the server."
        ),
    )
    organization = models.ForeignKey(
        "catalog.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="watched_publishers",
        verbose_name=_("organisation"),
    )
    default_family = models.ForeignKey(
        "catalog.ModelFamily",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="watched_publishers",
        verbose_name=_("default family"),
        help_text=_("New releases are proposed in this family unless their name says otherwise."),
    )
    include_patterns = ArrayField(
        models.CharField(max_length=100),
        blank=True,
        default=list,
        verbose_name=_("include patterns"),
        help_text=_("Repository names to take (shell patterns such as Qwen3-*); empty takes all."),
    )
    exclude_patterns = ArrayField(
        models.CharField(max_length=100),
        blank=True,
        default=list,
        verbose_name=_("exclude patterns"),
        help_text=_("Repository names to leave out (*-GGUF, *-AWQ), checked after the includes."),
    )
    active = models.BooleanField(_("active"), default=True)
    last_checked_at = models.DateTimeField(
        _("last checked at"), null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["source", "author", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "author"], name="%(app_label)s_%(class)s_unique_source_author"
            )
        ]
        verbose_name = _("watched publisher")
        verbose_name_plural = _("watched publishers")

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.author}"

    def clean(self) -> None:
        if self.source == IngestSource.FEED and not self.feed_location:
            raise ValidationError({"feed_location": FEED_NEEDS_LOCATION})
        if self.source != IngestSource.FEED and self.feed_location:
            raise ValidationError({"feed_location": LOCATION_ONLY_FOR_FEEDS})

    def wants(self, repository_name: str) -> bool:
        """Whether a repository name (without its author) passes the include and exclude
        patterns."""
        name = repository_name.lower()
        if self.include_patterns and not any(
            fnmatch.fnmatchcase(name, pattern.lower()) for pattern in self.include_patterns
        ):
            return False
        return not any(
            fnmatch.fnmatchcase(name, pattern.lower()) for pattern in self.exclude_patterns
        )


class IngestRun(models.Model):
    """One ingestion run: when it ran, who or what started it, and how it went per source."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        PARTIAL = "partial", _("Succeeded with errors")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped: another run was in progress")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Schedule")
        COMMAND = "command", _("Command")
        ADMIN = "admin", _("Admin")

    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RUNNING
    )
    options = models.JSONField(_("options"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("ingest run")
        verbose_name_plural = _("ingest runs")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_status_display()}"


class IngestSourceResult(models.Model):
    """What one run saw of one source (a publisher or a feed) and what it did with it."""

    run = models.ForeignKey(
        IngestRun, on_delete=models.CASCADE, related_name="results", verbose_name=_("run")
    )
    source = models.CharField(_("source"), max_length=16, choices=IngestSource.choices)
    label = models.CharField(_("publisher or feed"), max_length=500)
    seen = models.PositiveIntegerField(_("seen"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    errors = models.JSONField(
        _("errors"),
        default=list,
        blank=True,
        help_text=_("One entry per failure: the upstream entry, the field and the message."),
    )

    class Meta:
        ordering = ["run", "pk"]
        verbose_name = _("source result")
        verbose_name_plural = _("source results")

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.label}"


class ReleaseCandidate(models.Model):
    """An upstream release (a repository, or a variant in a feed) as parsed, with what it would
    change in the catalog, waiting for an editor. One row per upstream identity: a later run
    updates it when upstream changes, and reopens it when that brings something new."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    source = models.CharField(_("source"), max_length=16, choices=IngestSource.choices)
    upstream_id = models.CharField(_("upstream identity"), max_length=300)
    revision = models.CharField(
        _("upstream revision"),
        max_length=100,
        help_text=_("The commit or digest seen last; a new one means upstream changed."),
    )
    parser_version = models.PositiveSmallIntegerField(_("parser version"), default=1)
    upstream_url = models.CharField(_("upstream page"), max_length=500, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.PENDING,
        db_index=True,
    )
    publisher = models.ForeignKey(
        WatchedPublisher,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="candidates",
        verbose_name=_("publisher"),
    )
    variant = models.ForeignKey(
        "catalog.ModelVariant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="release_candidates",
        verbose_name=_("matching variant"),
    )
    version = models.ForeignKey(
        "catalog.ModelVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="release_candidates",
        verbose_name=_("proposed version"),
    )
    facts = models.JSONField(_("parsed facts"), default=dict)
    proposed = models.JSONField(
        _("proposed values"),
        default=dict,
        help_text=_("Field name to the upstream value, in the catalog's terms."),
    )
    diff = models.JSONField(
        _("changes"),
        default=dict,
        help_text=_("Field name to {current, upstream}: what approving would change."),
    )
    rejected_values = models.JSONField(
        _("rejected values"),
        default=dict,
        blank=True,
        help_text=_(
            "Field name to the upstream value an editor rejected; not proposed again "
            "until upstream changes it."
        ),
    )
    proposed_results = models.JSONField(
        _("proposed results"),
        default=list,
        blank=True,
        help_text=_(
            "The evaluation results the model card states (its model-index), one object per "
            "metric as parsed, not yet reviewed."
        ),
    )
    reviewed_results = models.JSONField(
        _("reviewed results"),
        default=dict,
        blank=True,
        help_text=_(
            "Key of each proposed result an editor accepted or rejected, to its decision; "
            "not proposed again until the card changes it."
        ),
    )
    payload = models.JSONField(_("raw payload"), default=dict)
    first_seen_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    last_run = models.ForeignKey(
        IngestRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="candidates",
        verbose_name=_("last run"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        ordering = ["-first_seen_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "-first_seen_at"], name="catalog_candidate_inbox_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "upstream_id"],
                name="%(app_label)s_%(class)s_unique_upstream_identity",
            )
        ]
        verbose_name = _("release candidate")
        verbose_name_plural = _("release candidates")

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.upstream_id}"
