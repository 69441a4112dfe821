"""Artifacts in the API: copies of a variant's weights in the company's storage, their files,
and the manifest they are verified with."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from adoption.api.serializers.common import (
    StrictFieldsMixin,
    UsernameField,
    VariantKeyRelatedField,
)
from adoption.models import Artifact, ArtifactFile
from adoption.services.artifacts import ArtifactInputError, artifact_upsert


class ArtifactFileSerializer(serializers.ModelSerializer):
    # The write path validates the checksum (adoption.services.artifacts): its message, keyed
    # ``files[i].sha256``, is the one clients see.
    sha256 = serializers.CharField(max_length=200)
    verified = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        model = ArtifactFile
        fields = ["path", "size_bytes", "sha256", "verified"]
        validators: list = []


class ArtifactSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """A copy of a variant's weights in the company's storage and its files (path, size,
    SHA-256, and whether the last verification found them as recorded). The registry never
    downloads weights: ``POST /api/v1/artifacts/{id}/verify/`` compares the recorded files
    with a manifest (``sha256sum`` output, SHA256SUMS, a JSON file list)."""

    variant = VariantKeyRelatedField()
    files = ArtifactFileSerializer(many=True, required=False)
    verified_by = UsernameField(allow_null=True)

    class Meta:
        model = Artifact
        fields = [
            "id",
            "variant",
            "uri",
            "format",
            "quantization",
            "upstream_revision",
            "note",
            "files",
            "verification",
            "verified_at",
            "verified_by",
            "verification_report",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "verification",
            "verified_at",
            "verification_report",
            "created_at",
            "updated_at",
        ]
        # The write path refuses a copy recorded twice with its own message.
        validators: list = []

    def create(self, validated_data):
        return self._upsert(None, validated_data)

    def update(self, instance, validated_data):
        return self._upsert(instance, validated_data)

    def _upsert(self, instance, validated_data):
        def current(name, default=""):
            if name in validated_data:
                return validated_data[name]
            return getattr(instance, name) if instance is not None else default

        if "files" in validated_data:
            files = [dict(item) for item in validated_data["files"]]
        elif instance is not None:
            files = [
                {"path": f.path, "size_bytes": f.size_bytes, "sha256": f.sha256}
                for f in instance.files.all()
            ]
        else:
            files = []
        request = self.context.get("request")
        try:
            return artifact_upsert(
                artifact=instance,
                variant=current("variant", None),
                uri=current("uri"),
                format=current("format"),
                quantization=current("quantization"),
                upstream_revision=current("upstream_revision"),
                note=current("note"),
                files=files,
                user=getattr(request, "user", None),
            )
        except ArtifactInputError as exc:
            raise serializers.ValidationError(
                {name: [message] for name, message in exc.errors.items()}
            ) from None


class ManifestSerializer(StrictFieldsMixin, serializers.Serializer):
    """``POST /api/v1/artifacts/{id}/verify/``: the manifest to compare the files with."""

    manifest = serializers.CharField(
        trim_whitespace=False,
        help_text=_("sha256sum output, a SHA256SUMS file, or a JSON list of path, sha256, size."),
    )
