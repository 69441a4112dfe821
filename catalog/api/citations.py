"""The sources behind a curated record's facts, as the API shows them.

Citations are catalog records that every curated model carries (``CuratedRecord.citations``),
a licence or an accelerator as much as a variant: their serializer lives with them here, and
an app's detail serializer that shows them is declared in catalog or above it.
"""

from rest_framework import serializers

from catalog.models import Citation


class CitationSerializer(serializers.ModelSerializer):
    url = serializers.URLField(source="source.url")
    title = serializers.CharField(source="source.title")
    publisher = serializers.CharField(source="source.publisher")
    accessed_on = serializers.DateField(source="source.accessed_on", allow_null=True)

    class Meta:
        model = Citation
        fields = ["url", "title", "publisher", "accessed_on", "fields", "quote", "note"]


def with_sources(base: type[serializers.ModelSerializer]) -> type[serializers.ModelSerializer]:
    """The detail form of ``base``: the same fields plus the ``sources`` behind the facts."""
    meta = type("Meta", (base.Meta,), {"fields": [*base.Meta.fields, "sources"]})
    return type(
        base.__name__.replace("Serializer", "DetailSerializer"),
        (base,),
        {
            "__module__": base.__module__,
            "__doc__": f"{base.__name__} with the sources behind its facts.",
            "sources": CitationSerializer(source="citations", many=True, read_only=True),
            "Meta": meta,
        },
    )
