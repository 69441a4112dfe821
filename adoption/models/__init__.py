"""The company's own layer: use cases, approvals, deployments, mirrored artifacts, and the
events, feeds and webhooks that tell people when something changes. Internal: signed-in staff
only."""

from adoption.models.approvals import Approval
from adoption.models.artifacts import Artifact, ArtifactFile
from adoption.models.deployments import Deployment
from adoption.models.notifications import Delivery, Event, Subscription, Webhook
from adoption.models.usecases import UseCase

__all__ = [
    "Approval",
    "Artifact",
    "ArtifactFile",
    "Delivery",
    "Deployment",
    "Event",
    "Subscription",
    "UseCase",
    "Webhook",
]
