"""The OpenAPI schema says what the API does, for clients generated from it: the shape and
style of every query parameter, which fields can be null, who may read, what the estimate
answers; and the documentation pages and unknown API paths answer as API clients expect."""

import pytest
from django.db import models
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.test import APIClient

import catalog.api.citations
import catalog.api.licenses
import catalog.api.serializers
import core.api.serializers
import hardware.api.serializers
import licenses.api.serializers
from tests import factories

pytestmark = pytest.mark.django_db

SAFE_METHODS = {"get", "head", "options"}


@pytest.fixture
def anonymous():
    return APIClient()


def generate_schema() -> dict:
    """The schema as /api/schema/ serves it under the current settings."""
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.fixture(scope="module")
def schema():
    return generate_schema()


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def list_operations(schema):
    for path, method, operation in operations(schema):
        if method == "get" and operation["operationId"].endswith("_list"):
            yield path, operation


@pytest.mark.parametrize("name", ["api-swagger", "api-schema", "api-estimate", "api-export"])
def test_options_on_the_api_documentation_and_views_is_not_a_server_error(anonymous, name):
    response = anonymous.options(reverse(name))
    assert response.status_code == 200, response.content[:500]
    assert "GET" in response["Allow"] or "POST" in response["Allow"]


def test_the_documentation_page_refuses_anonymous_visitors_cleanly_when_reads_are_private(
    anonymous, settings
):
    settings.REGISTRY_PUBLIC_READ = False
    for method in (anonymous.get, anonymous.options):
        assert method(reverse("api-swagger")).status_code in (401, 403)


def test_no_query_parameter_is_described_as_a_list_of_lists(schema):
    nested = [
        f"{method.upper()} {path} ?{parameter['name']}"
        for path, method, operation in operations(schema)
        for parameter in operation.get("parameters", [])
        if parameter["schema"].get("items", {}).get("type") == "array"
    ]
    assert nested == []


def test_multi_value_filters_are_lists_of_values_sent_as_repeated_parameters(schema):
    parameters = {
        parameter["name"]: parameter
        for parameter in schema["paths"]["/api/v1/variants/"]["get"]["parameters"]
    }
    assert parameters["family"]["schema"] == {"type": "array", "items": {"type": "string"}}
    assert parameters["family_id"]["schema"] == {"type": "array", "items": {"type": "integer"}}
    for name in ("family", "family_id", "kind", "feature"):
        assert parameters[name]["style"] == "form"
        assert parameters[name]["explode"] is True, name


def _values(parameter) -> list:
    items = parameter["schema"]["items"]
    if "enum" in items:
        return items["enum"][:2]
    if items.get("type") == "integer":
        return [1, 2]
    return ["qwen", "llama"]


def test_every_list_parameter_takes_its_values_in_the_style_the_schema_gives(anonymous, schema):
    """What a generated client sends for two values of each multi-value parameter is
    understood: repeated (``explode``) or comma-separated (``explode: false``)."""
    refused = []
    # The company's own lists answer its roles only.
    staff = APIClient()
    staff.force_login(factories.make_staff("schema-viewer", "viewer"))
    for path, operation in list_operations(schema):
        client = staff if path.startswith(INTERNAL_PATHS) else anonymous
        for parameter in operation["parameters"]:
            if parameter["schema"].get("type") != "array":
                continue
            values = _values(parameter)
            if parameter.get("explode", parameter.get("style", "form") == "form"):
                query = {parameter["name"]: values}
            else:
                query = {parameter["name"]: ",".join(map(str, values))}
            response = client.get(path, query)
            if response.status_code != 200:
                refused.append((path, query, response.status_code, response.content[:200]))
    assert refused == []


def test_repeated_orderings_count_as_one_ordering_by_several_columns(anonymous):
    from tests.factories import VariantFactory

    for name, size in (("B-1", 7), ("A-1", 7), ("C-1", 70)):
        VariantFactory(name=name, slug=name.lower(), total_parameters=size * 10**9)

    def names(query):
        response = anonymous.get(reverse("variant-list"), query)
        assert response.status_code == 200, response.content
        return [row["name"] for row in response.json()["results"]]

    commas = names({"ordering": "-total_parameters,name"})
    assert commas == ["C-1", "A-1", "B-1"]
    assert names({"ordering": ["-total_parameters", "name"]}) == commas


def _api_model_serializers():
    modules = (
        catalog.api.citations,
        catalog.api.licenses,
        catalog.api.serializers,
        hardware.api.serializers,
        licenses.api.serializers,
        core.api.serializers,
    )
    found = {
        value
        for module in modules
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, serializers.ModelSerializer)
        and getattr(getattr(value, "Meta", None), "model", None) is not None
    }
    return sorted(found, key=lambda serializer_class: serializer_class.__name__)


def _model_path_is_nullable(model, source: str) -> bool | None:
    """Whether following ``source`` from ``model`` can meet a null; None where the source is
    not a chain of model fields (a property, a method, the whole object)."""
    nullable = False
    for name in source.split("."):
        try:
            field = model._meta.get_field(name)
        except Exception:
            return None
        if not isinstance(field, models.Field) or field.many_to_many or field.one_to_many:
            return None
        nullable = nullable or field.null
        model = field.related_model
    return nullable


def test_every_field_that_can_be_null_in_the_database_is_nullable_in_the_schema(schema):
    components = schema["components"]["schemas"]
    undeclared = []
    for serializer_class in _api_model_serializers():
        component = components.get(serializer_class.__name__.removesuffix("Serializer"))
        if component is None:
            continue
        fields = serializer_class().fields
        for name, described in component["properties"].items():
            field = fields.get(name)
            if field is None or field.source == "*":
                continue
            nullable = _model_path_is_nullable(serializer_class.Meta.model, field.source)
            if nullable and not described.get("nullable"):
                undeclared.append(f"{serializer_class.__name__}.{name}")
    assert undeclared == []


def test_a_recommendation_without_a_fitting_profile_is_described_as_such(schema):
    for name in ("Recommendation", "RecommendationDetail"):
        smallest = schema["components"]["schemas"][name]["properties"]["smallest_profile"]
        assert smallest.get("nullable") is True


# The company's own layer (adoption/api/views.py): never open to anonymous clients.
INTERNAL_PATHS = (
    "/api/v1/use-cases/",
    "/api/v1/approvals/",
    "/api/v1/deployments/",
    "/api/v1/artifacts/",
    "/api/v1/recipes/",
)


def test_public_reads_and_the_estimate_are_described_as_open_to_anonymous_clients(schema):
    wrong = []
    for path, method, operation in operations(schema):
        anonymous_allowed = {} in operation.get("security", [])
        is_read = method in SAFE_METHODS or path == "/api/v1/estimate/"
        is_read = is_read and not path.startswith(INTERNAL_PATHS)
        if anonymous_allowed != is_read:
            wrong.append(f"{method.upper()} {path}")
    assert wrong == []


def test_reads_need_credentials_in_the_schema_when_public_read_is_off(settings):
    settings.REGISTRY_PUBLIC_READ = False
    open_operations = [
        f"{method.upper()} {path}"
        for path, method, operation in operations(generate_schema())
        if {} in operation.get("security", [])
    ]
    assert open_operations == []


def test_the_estimate_answer_is_described_as_an_estimate_not_as_its_request(schema):
    answer = schema["paths"]["/api/v1/estimate/"]["post"]["responses"]["200"]["content"]
    reference = answer["application/json"]["schema"]["$ref"]
    estimate = schema["components"]["schemas"][reference.rsplit("/", 1)[1]]
    assert {"total_params", "memory", "fits", "smallest_profile"} <= set(estimate["properties"])
    assert estimate["properties"]["smallest_profile"].get("nullable") is True


@pytest.mark.parametrize(
    "path",
    ["/api/v1/nothing/", "/api/nothing", "/api/", "/api", "/api/v1/families/one/two/three/"],
)
def test_unknown_api_paths_answer_json_404(anonymous, path):
    for accept in ("application/json", "text/html"):
        response = anonymous.get(path, HTTP_ACCEPT=accept)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert response.json() == {"detail": NotFound.default_detail}


def test_unknown_pages_still_answer_the_html_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_api_paths_without_the_slash_still_redirect_to_it(anonymous):
    response = anonymous.get("/api/v1/families")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/families/"
