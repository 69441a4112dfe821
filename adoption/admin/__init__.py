"""The adoption layer's admin: use cases and approvals (with the approvers' decision and
review queue), deployments and their health, artifacts and their verification, webhooks with
their delivery log, subscriptions, and the event log. Writes go through adoption.services.
Django's admin autodiscovery imports this package, which registers every model below."""

from adoption.admin import approvals, notifications, operations, usecases

__all__ = ["approvals", "notifications", "operations", "usecases"]
