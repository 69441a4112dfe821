"""Artifacts: recording files, reading manifests, verifying against them and reading the
checksum file beside the weights."""

import hashlib
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from adoption.choices import FileCheck, Verification
from adoption.forms import MANIFEST_FILE_TOO_LARGE, MANIFEST_NOT_BOTH, ManifestUploadForm
from adoption.manifests import ManifestEntry
from adoption.models import Artifact, ArtifactFile
from adoption.models.artifacts import NOT_HEX
from adoption.services import artifacts as svc
from adoption.services import checksum_files
from adoption.services.artifacts import (
    ArtifactInputError,
    artifact_files_from_manifest,
    artifact_upsert,
    artifact_verify,
    artifact_verify_from_location,
    manifest_parse,
)
from adoption.services.checksum_files import checksum_file_read
from tests.factories import ArtifactFactory, ArtifactFileFactory, VariantFactory, make_editor

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "adoption"
SHARD_1 = hashlib.sha256(b"shard one").hexdigest()
SHARD_2 = hashlib.sha256(b"shard two").hexdigest()
INDEX = hashlib.sha256(b"index").hexdigest()
OTHER = hashlib.sha256(b"something else").hexdigest()
SHARD_1_NAME = "model-00001-of-00002.safetensors"
SHARD_2_NAME = "model-00002-of-00002.safetensors"


def line_error(line, message):
    return str(svc.AT_LINE % {"line": line, "message": message})


def entry_error(where, message):
    return str(svc.AT_ENTRY % {"where": where, "message": message})


def recorded(artifact, *files):
    """Record ``files`` ((path, size, sha256) tuples) on ``artifact`` directly."""
    for path, size, sha in files:
        ArtifactFileFactory(artifact=artifact, path=path, size_bytes=size, sha256=sha)
    return artifact


def counts():
    return Artifact.objects.count(), ArtifactFile.objects.count()


# --- Manifests (pure parsing, no database) ----------------------------------------------------


def test_manifest_parse_reads_sha256sum_output_in_text_and_binary_mode():
    entries = manifest_parse((FIXTURES / "sha256sum.txt").read_text())

    assert entries == [
        ManifestEntry(SHARD_1_NAME, SHARD_1),
        ManifestEntry(SHARD_2_NAME, SHARD_2),
        ManifestEntry("model.safetensors.index.json", INDEX),
    ]


def test_manifest_parse_reads_the_tag_form_and_escaped_names():
    text = f"SHA256 (a.gguf) = {SHARD_1.upper()}\n\\{SHARD_2}  dir\\\\odd\\nname.gguf\n"

    assert manifest_parse(text) == [
        ManifestEntry("a.gguf", SHARD_1),
        ManifestEntry("dir\\odd\nname.gguf", SHARD_2),
    ]


def test_manifest_parse_reads_a_hugging_face_listing_and_skips_files_outside_lfs():
    entries = manifest_parse((FIXTURES / "hf_siblings.json").read_text())

    assert entries == [
        ManifestEntry(SHARD_1_NAME, SHARD_1, 4976698672),
        ManifestEntry(SHARD_2_NAME, SHARD_2, 1168138808),
    ]


def test_manifest_parse_reads_a_json_list_with_any_of_the_name_and_size_keys():
    text = json.dumps(
        [
            {"path": "a.safetensors", "sha256": SHARD_1, "size": 10},
            {"name": "b.safetensors", "sha256": SHARD_2, "size_bytes": "20"},
            {"filename": "c.json", "sha256": INDEX},
        ]
    )

    assert manifest_parse(text) == [
        ManifestEntry("a.safetensors", SHARD_1, 10),
        ManifestEntry("b.safetensors", SHARD_2, 20),
        ManifestEntry("c.json", INDEX, None),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"{SHARD_1}  a\nnot-hex-at-all  b\n", line_error(2, svc.NOT_HEX_IN_MANIFEST)),
        (f"{SHARD_1}  a\n\n{SHARD_1[:-1]}  b\n", line_error(3, svc.NOT_HEX_IN_MANIFEST)),
        (f"{SHARD_1}\n", line_error(1, svc.MISSING_PATH)),
        (f"{SHARD_1}  \n", line_error(1, svc.MISSING_PATH)),
        ("hello\n", line_error(1, svc.LINE_NOT_A_CHECKSUM)),
        (
            f"{SHARD_1}  a\n{SHARD_2}  ./a\n",
            line_error(2, svc.PATH_LISTED_TWICE % {"path": "a"}),
        ),
    ],
)
def test_manifest_parse_names_the_line_and_what_is_wrong(text, expected):
    with pytest.raises(ArtifactInputError) as caught:
        manifest_parse(text)

    assert caught.value.errors == {"manifest": expected}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            [{"path": "a", "sha256": SHARD_1}, {"path": "b", "sha256": "xyz"}],
            entry_error("[1].sha256", svc.NOT_HEX_IN_MANIFEST),
        ),
        ([{"sha256": SHARD_1}], entry_error("[0]", svc.MISSING_PATH)),
        (
            [{"path": "a", "sha256": SHARD_1, "size": "12 GB"}],
            entry_error("[0].size", svc.SIZE_NOT_A_NUMBER),
        ),
        (
            [{"path": "a", "sha256": SHARD_1, "size": -1}],
            entry_error("[0].size", svc.SIZE_NOT_A_NUMBER),
        ),
        (
            [{"path": "a", "sha256": SHARD_1}, {"path": "a", "sha256": SHARD_2}],
            entry_error("[1]", svc.PATH_LISTED_TWICE % {"path": "a"}),
        ),
        (
            {"siblings": [{"rfilename": "w.gguf", "lfs": {"sha256": "zz", "size": 1}}]},
            entry_error("siblings[0].lfs.sha256", svc.NOT_HEX_IN_MANIFEST),
        ),
        ({"files": []}, str(svc.MANIFEST_JSON_SHAPE)),
        ([], str(svc.MANIFEST_EMPTY)),
    ],
)
def test_manifest_parse_names_the_json_entry_and_what_is_wrong(data, expected):
    with pytest.raises(ArtifactInputError) as caught:
        manifest_parse(json.dumps(data))

    assert caught.value.errors == {"manifest": expected}


def test_manifest_parse_refuses_text_over_the_size_limit_with_the_limit_in_the_message(
    monkeypatch,
):
    monkeypatch.setattr(svc, "MAX_MANIFEST_BYTES", 2048)

    with pytest.raises(ArtifactInputError) as caught:
        manifest_parse(f"{SHARD_1}  a\n" * 40)

    expected = svc.MANIFEST_TOO_LARGE % {"size": 3, "limit": 2}
    assert caught.value.errors == {"manifest": str(expected)}


def test_manifest_parse_refuses_more_entries_than_the_limit(monkeypatch):
    monkeypatch.setattr(svc, "MAX_MANIFEST_ENTRIES", 2)

    with pytest.raises(ArtifactInputError) as caught:
        manifest_parse("".join(f"{SHARD_1}  f{i}\n" for i in range(3)))

    assert caught.value.errors == {"manifest": str(svc.MANIFEST_TOO_MANY % {"limit": 2})}


def test_manifest_parse_reports_broken_json_with_its_position():
    with pytest.raises(ArtifactInputError) as caught:
        manifest_parse('\n[{"path": "a",\n "sha256": }]')

    assert caught.value.errors["manifest"].endswith("(line 3, column 12).")


# --- Recording --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_artifact_upsert_records_the_copy_and_its_files_with_lowercase_checksums():
    variant = VariantFactory()

    artifact = artifact_upsert(
        variant=variant,
        uri=" s3://models/llama/ ",
        format="safetensors",
        files=[
            {"path": SHARD_1_NAME, "size_bytes": 10, "sha256": SHARD_1.upper()},
            {"path": SHARD_2_NAME, "size_bytes": 20, "sha256": SHARD_2},
        ],
    )

    assert artifact.uri == "s3://models/llama/"
    assert list(artifact.files.values_list("path", "size_bytes", "sha256")) == [
        (SHARD_1_NAME, 10, SHARD_1),
        (SHARD_2_NAME, 20, SHARD_2),
    ]
    assert artifact.verification == Verification.UNVERIFIED


@pytest.mark.django_db
def test_artifact_upsert_names_the_bad_file_field_and_writes_nothing():
    variant = VariantFactory()
    before = counts()

    with pytest.raises(ArtifactInputError) as caught:
        artifact_upsert(
            variant=variant,
            uri="s3://models/llama/",
            format="safetensors",
            files=[
                {"path": "a", "size_bytes": 10, "sha256": SHARD_1},
                {"path": "b", "size_bytes": 20, "sha256": "g" * 64},
                {"path": "a", "size_bytes": "lots", "sha256": SHARD_2},
            ],
        )

    assert caught.value.errors["files[1].sha256"] == str(NOT_HEX)
    assert "files[2].size_bytes" in caught.value.errors
    assert "files[0].sha256" not in caught.value.errors
    assert counts() == before


@pytest.mark.django_db
def test_artifact_upsert_names_a_file_listed_twice_and_a_bad_format():
    variant = VariantFactory()

    with pytest.raises(ArtifactInputError) as caught:
        artifact_upsert(
            variant=variant,
            uri="s3://models/llama/",
            format="zip",
            files=[
                {"path": "a", "size_bytes": 10, "sha256": SHARD_1},
                {"path": "a", "size_bytes": 10, "sha256": SHARD_1},
            ],
        )

    assert caught.value.errors["files[1].path"] == str(svc.FILE_LISTED_TWICE)
    assert "format" in caught.value.errors
    assert counts() == (0, 0)


@pytest.mark.django_db
def test_artifact_upsert_replacing_the_files_resets_the_verification():
    artifact = recorded(ArtifactFactory(), ("a", 10, SHARD_1))
    artifact_verify(artifact=artifact, manifest_text=f"{SHARD_1}  a\n")
    assert artifact.verification == Verification.VERIFIED

    artifact_upsert(
        artifact=artifact,
        variant=artifact.variant,
        uri=artifact.uri,
        format=artifact.format,
        files=[{"path": "b", "size_bytes": 10, "sha256": SHARD_2}],
    )

    artifact.refresh_from_db()
    assert artifact.verification == Verification.UNVERIFIED
    assert artifact.verified_at is None
    assert artifact.verification_report == []
    assert list(artifact.files.values_list("path", "verified")) == [("b", None)]


@pytest.mark.django_db
def test_artifact_upsert_keeps_the_verification_when_only_the_note_changes():
    artifact = recorded(ArtifactFactory(), ("a", 10, SHARD_1))
    artifact_verify(artifact=artifact, manifest_text=f"{SHARD_1}  a\n")

    artifact_upsert(
        artifact=artifact,
        variant=artifact.variant,
        uri=artifact.uri,
        format=artifact.format,
        note="Mirrored for the support bot.",
        files=[{"path": "a", "size_bytes": 10, "sha256": SHARD_1.upper()}],
    )

    artifact.refresh_from_db()
    assert artifact.verification == Verification.VERIFIED
    assert list(artifact.files.values_list("path", "verified")) == [("a", True)]


@pytest.mark.django_db
def test_artifact_files_from_manifest_records_the_hub_listing():
    artifact = ArtifactFactory()

    artifact_files_from_manifest(
        artifact=artifact, manifest_text=(FIXTURES / "hf_siblings.json").read_text()
    )

    assert list(artifact.files.values_list("path", "size_bytes", "sha256")) == [
        (SHARD_1_NAME, 4976698672, SHARD_1),
        (SHARD_2_NAME, 1168138808, SHARD_2),
    ]


@pytest.mark.django_db
def test_artifact_files_from_manifest_refuses_a_manifest_without_sizes_and_writes_nothing():
    artifact = ArtifactFactory()

    with pytest.raises(ArtifactInputError) as caught:
        artifact_files_from_manifest(
            artifact=artifact, manifest_text=(FIXTURES / "sha256sum.txt").read_text()
        )

    assert caught.value.errors == {"manifest": str(svc.MANIFEST_NO_SIZE % {"path": SHARD_1_NAME})}
    assert ArtifactFile.objects.count() == 0


# --- Verification -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_artifact_verify_with_every_file_matching_marks_the_artifact_verified():
    editor = make_editor()
    artifact = recorded(
        ArtifactFactory(), (SHARD_1_NAME, 4976698672, SHARD_1), (SHARD_2_NAME, 1168138808, SHARD_2)
    )

    artifact_verify(
        artifact=artifact,
        manifest_text=(FIXTURES / "hf_siblings.json").read_text(),
        user=editor,
    )

    artifact.refresh_from_db()
    assert artifact.verification == Verification.VERIFIED
    assert artifact.verified_by == editor
    assert artifact.verified_at is not None
    assert artifact.verification_report == [
        {
            "path": SHARD_1_NAME,
            "expected_sha256": SHARD_1,
            "found_sha256": SHARD_1,
            "expected_size": 4976698672,
            "found_size": 4976698672,
            "status": "ok",
        },
        {
            "path": SHARD_2_NAME,
            "expected_sha256": SHARD_2,
            "found_sha256": SHARD_2,
            "expected_size": 1168138808,
            "found_size": 1168138808,
            "status": "ok",
        },
    ]
    assert set(artifact.files.values_list("verified", flat=True)) == {True}


@pytest.mark.django_db
def test_artifact_verify_with_a_different_checksum_is_a_mismatch_naming_the_file():
    artifact = recorded(ArtifactFactory(), ("a", 10, SHARD_1), ("b", 20, SHARD_2))

    artifact_verify(artifact=artifact, manifest_text=f"{SHARD_1}  a\n{OTHER}  b\n")

    artifact.refresh_from_db()
    assert artifact.verification == Verification.MISMATCH
    assert [(line["path"], line["status"]) for line in artifact.verification_report] == [
        ("a", FileCheck.OK),
        ("b", FileCheck.CHECKSUM_DIFFERS),
    ]
    assert artifact.verification_report[1]["found_sha256"] == OTHER
    assert dict(artifact.files.values_list("path", "verified")) == {"a": True, "b": False}


@pytest.mark.django_db
def test_artifact_verify_with_a_different_size_is_a_mismatch_naming_the_file():
    artifact = recorded(ArtifactFactory(), ("a", 10, SHARD_1))

    artifact_verify(
        artifact=artifact, manifest_text=json.dumps([{"path": "a", "sha256": SHARD_1, "size": 11}])
    )

    artifact.refresh_from_db()
    assert artifact.verification == Verification.MISMATCH
    (line,) = artifact.verification_report
    assert (line["path"], line["status"], line["expected_size"], line["found_size"]) == (
        "a",
        FileCheck.SIZE_DIFFERS,
        10,
        11,
    )


@pytest.mark.django_db
def test_artifact_verify_with_a_file_missing_from_the_manifest_is_a_mismatch():
    artifact = recorded(ArtifactFactory(), ("a", 10, SHARD_1), ("b", 20, SHARD_2))

    artifact_verify(artifact=artifact, manifest_text=f"{SHARD_1}  a\n")

    artifact.refresh_from_db()
    assert artifact.verification == Verification.MISMATCH
    assert artifact.verification_report[1] == {
        "path": "b",
        "expected_sha256": SHARD_2,
        "found_sha256": None,
        "expected_size": 20,
        "found_size": None,
        "status": FileCheck.MISSING,
    }
    assert dict(artifact.files.values_list("path", "verified")) == {"a": True, "b": False}


@pytest.mark.django_db
def test_artifact_verify_reports_extra_manifest_entries_without_failing():
    artifact = recorded(ArtifactFactory(), ("a", 10, SHARD_1))

    artifact_verify(artifact=artifact, manifest_text=f"{SHARD_1}  a\n{INDEX}  README.md\n")

    artifact.refresh_from_db()
    assert artifact.verification == Verification.VERIFIED
    assert artifact.verification_report[1] == {
        "path": "README.md",
        "expected_sha256": None,
        "found_sha256": INDEX,
        "expected_size": None,
        "found_size": None,
        "status": FileCheck.EXTRA,
    }


@pytest.mark.django_db
def test_artifact_verify_without_recorded_files_says_there_is_nothing_to_verify():
    artifact = ArtifactFactory()

    with pytest.raises(ArtifactInputError) as caught:
        artifact_verify(artifact=artifact, manifest_text=f"{SHARD_1}  a\n")

    assert caught.value.errors == {"files": str(svc.NO_FILES)}
    assert ArtifactFile.objects.count() == 0


@pytest.mark.django_db
def test_artifact_verify_with_a_non_hex_checksum_names_the_line_and_writes_nothing():
    artifact = recorded(ArtifactFactory(), ("a", 10, SHARD_1), ("b", 20, SHARD_2))
    before = list(Artifact.objects.values_list("verification", "verified_at", "updated_at"))

    with pytest.raises(ArtifactInputError) as caught:
        artifact_verify(artifact=artifact, manifest_text=f"{SHARD_1}  a\n\n{'x' * 64}  b\n")

    assert caught.value.errors == {"manifest": line_error(3, svc.NOT_HEX_IN_MANIFEST)}
    assert list(Artifact.objects.values_list("verification", "verified_at", "updated_at")) == before
    assert set(ArtifactFile.objects.values_list("verified", flat=True)) == {None}


# --- The checksum file beside the weights -----------------------------------------------------


@pytest.fixture
def weights_root(tmp_path, settings):
    root = tmp_path / "models"
    copy = root / "llama"
    copy.mkdir(parents=True)
    (copy / "SHA256SUMS").write_text(f"{SHARD_1}  a\n")
    settings.ADOPTION_ARTIFACT_ROOTS = [str(root)]
    return root


@pytest.mark.django_db
def test_checksum_file_beside_the_weights_under_an_allowed_root_verifies(weights_root):
    artifact = recorded(ArtifactFactory(uri=(weights_root / "llama").as_uri()), ("a", 10, SHARD_1))

    artifact_verify_from_location(artifact=artifact)

    artifact.refresh_from_db()
    assert artifact.verification == Verification.VERIFIED


@pytest.mark.django_db
def test_checksum_file_is_found_beside_a_single_weights_file_by_its_plain_path(weights_root):
    (weights_root / "llama" / "a").write_bytes(b"weights are never read")
    (weights_root / "llama" / "SHA256SUMS").unlink()
    (weights_root / "llama" / "checksums.sha256").write_text(f"{SHARD_2}  a\n")
    artifact = ArtifactFactory(uri=str(weights_root / "llama" / "a"))

    assert checksum_file_read(artifact) == f"{SHARD_2}  a\n"


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["outside", "escape"])
def test_checksum_file_outside_the_roots_is_refused(weights_root, where):
    outside = weights_root.parent / "elsewhere"
    outside.mkdir()
    (outside / "SHA256SUMS").write_text(f"{SHARD_1}  a\n")
    uri = str(outside) if where == "outside" else f"{weights_root}/llama/../../elsewhere"
    artifact = ArtifactFactory(uri=uri)

    with pytest.raises(ArtifactInputError) as caught:
        checksum_file_read(artifact)

    assert caught.value.errors == {"uri": str(checksum_files.OUTSIDE_ROOTS)}


@pytest.mark.django_db
def test_checksum_file_linked_out_of_the_roots_is_refused(weights_root):
    outside = weights_root.parent / "secret"
    outside.write_text(f"{SHARD_1}  a\n")
    (weights_root / "llama" / "SHA256SUMS").unlink()
    (weights_root / "llama" / "SHA256SUMS").symlink_to(outside)
    artifact = ArtifactFactory(uri=str(weights_root / "llama"))

    with pytest.raises(ArtifactInputError) as caught:
        checksum_file_read(artifact)

    assert caught.value.errors == {"uri": str(checksum_files.OUTSIDE_ROOTS)}


@pytest.mark.django_db
def test_checksum_file_on_local_disks_is_refused_when_no_root_is_set(tmp_path, settings):
    settings.ADOPTION_ARTIFACT_ROOTS = []
    artifact = ArtifactFactory(uri=tmp_path.as_uri())

    with pytest.raises(ArtifactInputError) as caught:
        checksum_file_read(artifact)

    assert caught.value.errors == {"uri": str(checksum_files.LOCAL_READING_OFF)}


@pytest.mark.django_db
def test_checksum_file_missing_beside_the_weights_is_said_so(weights_root):
    (weights_root / "llama" / "SHA256SUMS").unlink()
    artifact = ArtifactFactory(uri=str(weights_root / "llama"))

    with pytest.raises(ArtifactInputError) as caught:
        checksum_file_read(artifact)

    assert caught.value.errors == {"uri": str(checksum_files.NO_CHECKSUM_FILE)}


@pytest.mark.django_db
def test_checksum_file_over_http_is_fetched_beside_the_weights(httpserver):
    httpserver.expect_request("/models/llama/SHA256SUMS").respond_with_data(
        f"{SHARD_1}  a\n", content_type="text/plain"
    )
    artifact = recorded(
        ArtifactFactory(uri=httpserver.url_for("/models/llama")), ("a", 10, SHARD_1)
    )

    artifact_verify_from_location(artifact=artifact)

    artifact.refresh_from_db()
    assert artifact.verification == Verification.VERIFIED
    assert [request.path for request, _ in httpserver.log] == ["/models/llama/SHA256SUMS"]


@pytest.mark.django_db
def test_checksum_file_over_http_falls_back_to_checksums_sha256(httpserver):
    httpserver.expect_request("/m/SHA256SUMS").respond_with_data("", status=404)
    httpserver.expect_request("/m/checksums.sha256").respond_with_data(f"{SHARD_1}  a\n")
    artifact = ArtifactFactory(uri=httpserver.url_for("/m/"))

    assert checksum_file_read(artifact) == f"{SHARD_1}  a\n"


@pytest.mark.django_db
def test_checksum_file_over_http_follows_a_redirect_on_the_same_host_only(httpserver):
    httpserver.expect_request("/old/SHA256SUMS").respond_with_data(
        "", status=302, headers={"Location": "/new/SHA256SUMS"}
    )
    httpserver.expect_request("/new/SHA256SUMS").respond_with_data(f"{SHARD_1}  a\n")
    httpserver.expect_request("/away/SHA256SUMS").respond_with_data(
        "", status=302, headers={"Location": "http://example.invalid/SHA256SUMS"}
    )

    assert checksum_file_read(ArtifactFactory(uri=httpserver.url_for("/old"))) == f"{SHARD_1}  a\n"
    with pytest.raises(ArtifactInputError) as caught:
        checksum_file_read(ArtifactFactory(uri=httpserver.url_for("/away")))
    assert caught.value.errors == {"uri": str(checksum_files.REDIRECT_REFUSED)}


@pytest.mark.django_db
def test_checksum_file_over_http_larger_than_the_limit_is_refused(httpserver, monkeypatch):
    monkeypatch.setattr(checksum_files, "MAX_MANIFEST_BYTES", 1024)
    httpserver.expect_request("/m/SHA256SUMS").respond_with_data(f"{SHARD_1}  a\n" * 40)

    with pytest.raises(ArtifactInputError) as caught:
        checksum_file_read(ArtifactFactory(uri=httpserver.url_for("/m")))

    too_large = checksum_files.CHECKSUM_FILE_TOO_LARGE % {"limit": 1}
    assert caught.value.errors == {"uri": str(too_large)}


@pytest.mark.django_db
@pytest.mark.parametrize("uri", ["s3://models/llama/", "gs://models/llama/", "models/llama"])
def test_checksum_file_in_object_storage_is_refused_with_a_hint_to_upload(uri):
    artifact = recorded(ArtifactFactory(uri=uri), ("a", 10, SHARD_1))

    with pytest.raises(ArtifactInputError) as caught:
        artifact_verify_from_location(artifact=artifact)

    assert caught.value.errors == {"uri": str(checksum_files.LOCATION_UNSUPPORTED)}
    artifact.refresh_from_db()
    assert artifact.verification == Verification.UNVERIFIED


# --- The upload form --------------------------------------------------------------------------


def test_manifest_upload_form_reads_an_uploaded_sha256sums_file():
    upload = SimpleUploadedFile("SHA256SUMS", (FIXTURES / "sha256sum.txt").read_bytes())

    form = ManifestUploadForm(data={}, files={"manifest": upload})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["entries"][0].path == SHARD_1_NAME
    assert form.cleaned_data["manifest_text"] == (FIXTURES / "sha256sum.txt").read_text()


def test_manifest_upload_form_shows_the_bad_line_on_the_pasted_text():
    form = ManifestUploadForm(data={"manifest_text": f"{SHARD_1}  a\nnope  b\n"})

    assert not form.is_valid()
    assert form.errors["manifest_text"] == [line_error(2, svc.NOT_HEX_IN_MANIFEST)]


def test_manifest_upload_form_refuses_a_file_over_the_limit_and_both_inputs(monkeypatch):
    monkeypatch.setattr("adoption.forms.MAX_MANIFEST_BYTES", 1024)
    big = SimpleUploadedFile("SHA256SUMS", b"x" * 3000)

    too_large = ManifestUploadForm(data={}, files={"manifest": big})
    both = ManifestUploadForm(
        data={"manifest_text": f"{SHARD_1}  a\n"},
        files={"manifest": SimpleUploadedFile("SHA256SUMS", f"{SHARD_1}  a\n".encode())},
    )

    assert not too_large.is_valid()
    assert too_large.errors["manifest"] == [str(MANIFEST_FILE_TOO_LARGE % {"size": 3, "limit": 1})]
    assert not both.is_valid()
    assert both.errors["__all__"] == [str(MANIFEST_NOT_BOTH)]
