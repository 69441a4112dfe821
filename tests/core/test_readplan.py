"""Compiled read plans give exactly what the serializers give, for every resource of the API,
over the whole curated catalog (drafts included), lists and details."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework import serializers

from catalog.models import ModelVariant
from core.api.readplan import ReadPlan, read_plan
from hardware.services import recommendations_recompute
from llmregistry.api_urls import router

pytestmark = pytest.mark.django_db


def _viewsets():
    for _prefix, viewset, basename in router.registry:
        yield pytest.param(viewset, id=basename)


def _serializer_classes(viewset):
    classes = [viewset.serializer_class]
    detail = getattr(viewset, "detail_serializer_class", None)
    if detail is None and hasattr(viewset, "get_serializer_class"):
        view = viewset()
        view.action = "retrieve"
        detail = view.get_serializer_class()
    return [cls for cls in dict.fromkeys([*classes, detail]) if cls is not None]


def _queryset(viewset, user, action):
    view = viewset()
    view.action = action
    view.request = type("Request", (), {"user": user})()
    return view.get_queryset()


def _adoption_rows():
    """The company's own records, which the curated catalog does not hold: a decided approval
    of a variant, an open one of its version, a deployment and an artifact with a file."""
    from adoption.services.approvals import approval_decide
    from tests import factories

    variant = ModelVariant.objects.order_by("pk").first()
    approval = factories.ApprovalFactory(variant=variant)
    approval_decide(
        approval=approval,
        status="approved_with_conditions",
        conditions="Internal users only.",
        user=factories.make_approver("plan-approver"),
    )
    factories.ApprovalFactory(variant=None, version=variant.version, use_case=approval.use_case)
    factories.DeploymentFactory(variant=variant)
    factories.ArtifactFileFactory(artifact__variant=variant)


@pytest.mark.parametrize("viewset", _viewsets())
def test_a_plan_gives_what_the_serializer_gives(curated_catalog, viewset):
    admin = get_user_model().objects.create_superuser("plan-admin", password="unused pass 1")
    if viewset.__module__.startswith("adoption."):
        _adoption_rows()
    if viewset.__name__ == "RecommendationViewSet":
        first_variants = ModelVariant.objects.order_by("pk").values_list("pk", flat=True)[:5]
        recommendations_recompute(variant_ids=list(first_variants))
    for serializer_class in _serializer_classes(viewset):
        for action in ("list", "retrieve"):
            rows = list(_queryset(viewset, admin, action))
            assert rows, serializer_class
            expected = serializer_class(rows, many=True).data
            assert read_plan(serializer_class).rows(rows) == expected, serializer_class


def test_a_plan_is_built_once_per_serializer_class():
    from catalog.api.serializers import VariantSerializer

    assert read_plan(VariantSerializer) is read_plan(VariantSerializer)


def test_nulls_nested_objects_and_method_fields_follow_drf():
    class Inner(serializers.Serializer):
        name = serializers.CharField()

    class Outer(serializers.Serializer):
        title = serializers.CharField()
        count = serializers.IntegerField()
        ratio = serializers.FloatField()
        flag = serializers.BooleanField()
        inner = Inner(source="child")
        missing = Inner(source="child.child", allow_null=True)
        many = Inner(many=True, source="children")
        shout = serializers.SerializerMethodField()
        secret = serializers.CharField(write_only=True)

        def get_shout(self, obj):
            return obj.title.upper()

    class Thing:
        def __init__(self, **values):
            self.__dict__.update(values)

    thing = Thing(
        title="x",
        count="3",
        ratio=1,
        flag=1,
        child=Thing(name=5, child=None),
        children=[Thing(name="a"), Thing(name="b")],
        secret="never",
    )
    assert ReadPlan(Outer()).row(thing) == Outer(thing).data
