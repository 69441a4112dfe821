"""The ingestion sources against a local fake upstream: no test here touches the network.

The fake serves recorded answers from tests/fixtures/ingest/server/ (see its README) and, for
retries and timeouts, small handlers. Backoffs are a few milliseconds so the file runs fast.
"""

import gzip
import json
import logging
import os
import re
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import pytest
from huggingface_hub import close_session
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from catalog.ingest.sources import (
    FeedSource,
    FetchedRelease,
    HubSource,
    ListedRepository,
    ModelScopeSource,
    SourceError,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SERVER = FIXTURES / "ingest" / "server"
CONFIGS = FIXTURES / "configs"
LLAMA = "meta-llama/Meta-Llama-3-8B"
LLAMA_SHA = "8cde5ca8380496c9a6cc7ef3a8b46a0372a1d920"
QUICK = {"timeout_seconds": 2, "max_retries": 2, "backoff_seconds": 0.01, "max_wait_seconds": 5}


@pytest.fixture(scope="module")
def upstream_server():
    # Threaded, so a handler that stalls (the timeout test) does not hold up the next request.
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()
    close_session()  # huggingface_hub's shared client pointed at this server


@pytest.fixture
def upstream(upstream_server):
    upstream_server.clear()
    yield upstream_server
    upstream_server.check_assertions()


@pytest.fixture
def endpoint(upstream):
    return upstream.url_for("").rstrip("/")


def recorded(name: str, endpoint: str) -> Response:
    record = json.loads((SERVER / name).read_text(encoding="utf-8"))
    body = record["body"]
    data = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    headers = {
        key: value.replace("{endpoint}", endpoint) for key, value in record["headers"].items()
    }
    return Response(data, status=record["status"], headers=headers)


def recorded_body(name: str):
    return json.loads((SERVER / name).read_text(encoding="utf-8"))["body"]


def config_file(name: str) -> bytes:
    return (CONFIGS / name).read_bytes()


def requests_to(upstream: HTTPServer, path: str) -> list[Request]:
    return [request for request, _ in upstream.log if request.path == path]


def serve_hub_listing(upstream: HTTPServer, endpoint: str) -> list[dict]:
    """Serve the three recorded listing pages, chosen by the cursor of their Link header."""
    pages, cursor = {}, None
    for number in (1, 2, 3):
        name = f"hf/list-meta-llama-page-{number}.json"
        pages[cursor] = name
        link = json.loads((SERVER / name).read_text())["headers"].get("Link", "")
        match = re.search(r"cursor=([^>&]+)", link)
        cursor = unquote(match.group(1)) if match else None
    seen = []

    def handler(request: Request) -> Response:
        seen.append({key: request.args.getlist(key) for key in request.args})
        return recorded(pages[request.args.get("cursor")], endpoint)

    upstream.expect_request("/api/models").respond_with_handler(handler)
    return seen


def serve_llama_info(upstream: HTTPServer, endpoint: str) -> None:
    upstream.expect_request(f"/api/models/{LLAMA}").respond_with_response(
        recorded("hf/model-info-meta-llama-3-8b.json", endpoint)
    )


def hub(endpoint: str, **settings) -> HubSource:
    return HubSource(endpoint=endpoint, **{**QUICK, **settings})


# The Hugging Face Hub


def test_hub_listing_follows_the_link_pages_newest_first(upstream, endpoint):
    seen = serve_hub_listing(upstream, endpoint)

    listed = list(hub(endpoint).list_repositories("meta-llama"))

    assert [item.upstream_id for item in listed] == [
        "meta-llama/Llama-3.2-1B",
        "meta-llama/Llama-3.2-1B-Instruct",
        "meta-llama/Meta-Llama-3-8B",
        "meta-llama/Llama-3.1-8B-Instruct",
        "meta-llama/Llama-2-7b-hf",
    ]
    assert listed[2] == ListedRepository(
        upstream_id=LLAMA,
        last_modified=datetime(2024, 9, 27, 15, 52, 33, tzinfo=UTC),
        revision=LLAMA_SHA,
    )
    assert len(seen) == 3
    assert seen[0] == {
        "author": ["meta-llama"],
        "sort": ["lastModified"],
        "expand": ["lastModified", "sha"],
    }


def test_hub_listing_stops_at_the_first_repository_older_than_since(upstream, endpoint):
    seen = serve_hub_listing(upstream, endpoint)

    since = datetime(2024, 9, 26, tzinfo=UTC)
    listed = list(hub(endpoint).list_repositories("meta-llama", since=since))

    assert [item.upstream_id for item in listed] == [
        "meta-llama/Llama-3.2-1B",
        "meta-llama/Llama-3.2-1B-Instruct",
        "meta-llama/Meta-Llama-3-8B",
    ]
    assert len(seen) == 2  # the third page is never asked for


def test_hub_listing_page_that_keeps_failing_is_tried_max_retries_plus_one_times(
    upstream, endpoint
):
    # huggingface_hub fetches next pages with its own retry loop; ours must be the only one.
    first = recorded("hf/list-meta-llama-page-1.json", endpoint)
    seen = []

    def handler(request: Request) -> Response:
        seen.append(request.args.get("cursor"))
        return first if request.args.get("cursor") is None else Response("busy", status=503)

    upstream.expect_request("/api/models").respond_with_handler(handler)

    with pytest.raises(SourceError, match=r"answered HTTP 503 \(gave up after 2 retries\)$"):
        list(hub(endpoint).list_repositories("meta-llama"))

    assert seen[0] is None
    assert len(seen[1:]) == 3


def test_hub_listing_with_a_malformed_page_raises_a_source_error(upstream, endpoint):
    upstream.expect_request("/api/models").respond_with_json({"error": "not a list"})

    with pytest.raises(SourceError, match=r"^hf: .*/api/models\?author=meta-llama: unexpected"):
        list(hub(endpoint).list_repositories("meta-llama"))


def test_hub_fetch_keeps_the_raw_info_and_reads_config_at_the_info_commit(upstream, endpoint):
    serve_llama_info(upstream, endpoint)
    config_path = f"/{LLAMA}/resolve/{LLAMA_SHA}/config.json"
    upstream.expect_request(config_path).respond_with_data(
        config_file("meta-llama__Meta-Llama-3-8B.json"), content_type="application/json"
    )

    fetched = hub(endpoint, token="hf_TestToken123").fetch(LLAMA)

    assert fetched == FetchedRelease(
        upstream_id=LLAMA,
        info=recorded_body("hf/model-info-meta-llama-3-8b.json"),
        config=json.loads(config_file("meta-llama__Meta-Llama-3-8B.json")),
    )
    for request, _ in upstream.log:
        assert request.headers["Authorization"] == "Bearer hf_TestToken123"
        assert request.headers["User-Agent"].startswith("llmregistry/")


def test_hub_fetch_reads_info_and_config_at_the_revision_asked_for(upstream, endpoint):
    upstream.expect_request(f"/api/models/{LLAMA}/revision/v1.0").respond_with_response(
        recorded("hf/model-info-meta-llama-3-8b.json", endpoint)
    )
    upstream.expect_request(f"/{LLAMA}/resolve/v1.0/config.json").respond_with_data(
        config_file("meta-llama__Meta-Llama-3-8B.json")
    )

    fetched = hub(endpoint).fetch(LLAMA, revision="v1.0")

    assert fetched.config["model_type"] == "llama"


@pytest.mark.parametrize("answer", ["hf/config-gated-401.json", "hf/config-gated-403.json"])
def test_hub_gated_config_is_recorded_not_raised(upstream, endpoint, answer):
    serve_llama_info(upstream, endpoint)
    upstream.expect_request(f"/{LLAMA}/resolve/{LLAMA_SHA}/config.json").respond_with_response(
        recorded(answer, endpoint)
    )

    fetched = hub(endpoint).fetch(LLAMA)

    assert (fetched.config, fetched.config_problem) == (None, "gated")
    assert fetched.info["gated"] == "manual"


def test_hub_sends_no_token_it_was_not_given(upstream, endpoint, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", "hf_FromTheEnvironment")
    serve_llama_info(upstream, endpoint)
    upstream.expect_request(f"/{LLAMA}/resolve/{LLAMA_SHA}/config.json").respond_with_response(
        recorded("hf/config-gated-401.json", endpoint)
    )

    hub(endpoint).fetch(LLAMA)

    assert [request.headers.get("Authorization") for request, _ in upstream.log] == [None, None]


@pytest.mark.parametrize(
    ("config_answer", "problem"),
    [
        (("hf/config-entry-not-found.json", None), "not found"),
        ((None, b'{"model_type": "llama",'), "not JSON"),
        ((None, b'{"hidden_size": NaN}'), "not JSON"),
        ((None, b"[1, 2, 3]"), "not JSON"),
        ((None, b'{"pad": "' + b"x" * 5000 + b'"}'), "too large"),
    ],
)
def test_hub_config_problems_are_recorded(upstream, endpoint, config_answer, problem):
    serve_llama_info(upstream, endpoint)
    name, body = config_answer
    handler = upstream.expect_request(f"/{LLAMA}/resolve/{LLAMA_SHA}/config.json")
    if name:
        handler.respond_with_response(recorded(name, endpoint))
    else:
        handler.respond_with_data(body, content_type="application/json")

    fetched = hub(endpoint, max_response_bytes=4096).fetch(LLAMA)

    assert (fetched.config, fetched.config_problem) == (None, problem)


def test_hub_missing_repository_raises_naming_the_url_and_status(upstream, endpoint):
    upstream.expect_request("/api/models/meta-llama/Nope").respond_with_response(
        recorded("hf/model-info-not-found.json", endpoint)
    )

    with pytest.raises(SourceError) as raised:
        hub(endpoint).fetch("meta-llama/Nope")

    assert str(raised.value) == (
        f"hf: model info at {endpoint}/api/models/meta-llama/Nope: "
        "repository not found or private (HTTP 404)"
    )


def test_hub_oversized_info_raises_naming_the_cap(upstream, endpoint):
    serve_llama_info(upstream, endpoint)

    with pytest.raises(SourceError, match=r"answer larger than 1000 bytes"):
        hub(endpoint, max_response_bytes=1000).fetch(LLAMA)


@pytest.mark.parametrize("upstream_id", ["../etc/passwd", "a/b/c", "meta-llama/..", "a/b?x=1", ""])
def test_repository_ids_that_could_leave_the_api_path_are_refused(upstream, endpoint, upstream_id):
    with pytest.raises(SourceError, match="not a repository id"):
        hub(endpoint).fetch(upstream_id)

    assert upstream.log == []


# Retries, waits and timeouts (one client for every source)


def test_rate_limited_request_waits_as_told_then_retries_once(upstream, endpoint):
    info_path = f"/api/models/{LLAMA}"
    upstream.expect_oneshot_request(info_path).respond_with_response(
        recorded("hf/rate-limited.json", endpoint)
    )
    serve_llama_info(upstream, endpoint)
    upstream.expect_request(f"/{LLAMA}/resolve/{LLAMA_SHA}/config.json").respond_with_data(
        config_file("meta-llama__Meta-Llama-3-8B.json")
    )

    started = time.monotonic()
    fetched = hub(endpoint).fetch(LLAMA)
    waited = time.monotonic() - started

    assert fetched.config is not None
    assert len(requests_to(upstream, info_path)) == 2
    assert 1.0 <= waited < 2.5  # Retry-After: 1, not the 10 ms backoff


def test_server_errors_are_retried_until_an_answer_comes(upstream, endpoint):
    path = "/api/v1/models/Qwen/Qwen3-8B"
    for _ in range(2):
        upstream.expect_oneshot_request(path).respond_with_data("busy", status=503)
    upstream.expect_request(path).respond_with_response(
        recorded("modelscope/model-info-qwen3-8b.json", endpoint)
    )
    upstream.expect_request(f"{path}/repo").respond_with_data(config_file("Qwen__Qwen3-8B.json"))

    fetched = ModelScopeSource(endpoint=endpoint, **QUICK).fetch("Qwen/Qwen3-8B")

    assert fetched.info["Data"]["Name"] == "Qwen3-8B"
    assert len(requests_to(upstream, path)) == 3


def test_persistent_server_error_gives_up_after_the_retries(upstream, endpoint):
    upstream.expect_request(f"/api/models/{LLAMA}").respond_with_data("down", status=500)

    with pytest.raises(SourceError) as raised:
        hub(endpoint, max_retries=2).fetch(LLAMA)

    assert str(raised.value) == (
        f"hf: {endpoint}/api/models/{LLAMA} answered HTTP 500 (gave up after 2 retries)"
    )
    assert len(requests_to(upstream, f"/api/models/{LLAMA}")) == 3


def test_slow_upstream_raises_naming_the_timeout(upstream, endpoint):
    release = threading.Event()

    def stall(request: Request) -> Response:
        release.wait(5)
        return Response("{}", content_type="application/json")

    upstream.expect_request(f"/api/models/{LLAMA}").respond_with_handler(stall)
    try:
        started = time.monotonic()
        with pytest.raises(SourceError) as raised:
            hub(endpoint, timeout_seconds=0.3, max_retries=1).fetch(LLAMA)
        elapsed = time.monotonic() - started
    finally:
        release.set()
        # The stalled requests are logged when their handlers return: wait for them, so they
        # do not land in the next test's log.
        deadline = time.monotonic() + 5
        while len(requests_to(upstream, f"/api/models/{LLAMA}")) < 2:
            if time.monotonic() > deadline:
                break
            time.sleep(0.01)

    assert str(raised.value) == (
        f"hf: {endpoint}/api/models/{LLAMA}: no answer within the 0.3 s timeout "
        "(gave up after 1 retry)"
    )
    assert elapsed < 2
    assert len(requests_to(upstream, f"/api/models/{LLAMA}")) == 2


def test_retry_after_longer_than_the_wait_cap_fails_at_once(upstream, endpoint):
    upstream.expect_request(f"/api/models/{LLAMA}").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "3600"}
    )

    started = time.monotonic()
    with pytest.raises(SourceError, match=r"HTTP 429 and asked to wait 3600 s, more than the 5 s"):
        hub(endpoint).fetch(LLAMA)

    assert time.monotonic() - started < 1
    assert len(requests_to(upstream, f"/api/models/{LLAMA}")) == 1


def test_tokens_stay_out_of_messages_and_logs(upstream, endpoint, caplog):
    caplog.set_level(logging.DEBUG)
    upstream.expect_request(f"/api/models/{LLAMA}").respond_with_data("down", status=500)
    source = hub(endpoint, token="hf_SecretValue42", max_retries=1)

    with pytest.raises(SourceError) as raised:
        source.fetch(LLAMA)

    assert upstream.log[0][0].headers["Authorization"] == "Bearer hf_SecretValue42"
    assert "hf_SecretValue42" not in str(raised.value)
    assert "hf_SecretValue42" not in caplog.text
    assert "hf_SecretValue42" not in repr(source)
    with pytest.raises(ValueError, match="characters a request header cannot carry") as refused:
        HubSource(endpoint=endpoint, token="hf_Secret\r\nX-Injected: 1")
    assert "hf_Secret" not in str(refused.value)


# ModelScope


def serve_modelscope_listing(upstream: HTTPServer, endpoint: str) -> list[dict]:
    seen = []

    def handler(request: Request) -> Response:
        body = json.loads(request.get_data())
        seen.append(body)
        return recorded(f"modelscope/list-qwen-page-{body['PageNumber']}.json", endpoint)

    upstream.expect_request("/api/v1/models/", method="PUT").respond_with_handler(handler)
    return seen


def test_modelscope_listing_reads_every_page_and_keeps_those_updated_since(upstream, endpoint):
    seen = serve_modelscope_listing(upstream, endpoint)
    source = ModelScopeSource(endpoint=endpoint, page_size=2, **QUICK)

    listed = list(source.list_repositories("Qwen", since=datetime(2025, 1, 1)))

    assert [item.upstream_id for item in listed] == [
        "Qwen/Qwen3-8B",
        "Qwen/Qwen2.5-7B-Instruct",
        "Qwen/Qwen3-30B-A3B",
    ]
    assert listed[0].last_modified == datetime(2025, 5, 21, 6, 30, tzinfo=UTC)
    assert listed[0].revision is None  # nothing in the listing to fetch at
    assert seen == [{"Path": "Qwen", "PageNumber": page, "PageSize": 2} for page in (1, 2, 3)]


def test_modelscope_fetch_keeps_the_envelope_and_reads_config_from_the_repo(upstream, endpoint):
    base = "/api/v1/models/Qwen/Qwen3-8B"
    upstream.expect_request(base).respond_with_response(
        recorded("modelscope/model-info-qwen3-8b.json", endpoint)
    )
    upstream.expect_request(
        f"{base}/repo", query_string={"Revision": "master", "FilePath": "config.json"}
    ).respond_with_data(config_file("Qwen__Qwen3-8B.json"), content_type="text/plain")

    source = ModelScopeSource(endpoint=endpoint, token="ms-0123-abcd", **QUICK)
    fetched = source.fetch("Qwen/Qwen3-8B")

    assert fetched == FetchedRelease(
        upstream_id="Qwen/Qwen3-8B",
        info=recorded_body("modelscope/model-info-qwen3-8b.json"),
        config=json.loads(config_file("Qwen__Qwen3-8B.json")),
    )
    for request, _ in upstream.log:
        assert request.headers["Cookie"] == "m_session_id=ms-0123-abcd"


def test_modelscope_envelope_error_raises_with_its_message(upstream, endpoint):
    upstream.expect_request("/api/v1/models/Qwen/Nope").respond_with_response(
        recorded("modelscope/model-info-not-found.json", endpoint)
    )

    with pytest.raises(SourceError) as raised:
        ModelScopeSource(endpoint=endpoint, **QUICK).fetch("Qwen/Nope")

    assert str(raised.value) == (
        f"modelscope: model info at {endpoint}/api/v1/models/Qwen/Nope refused: "
        "模型不存在 (model not found) (Code 10010205001)"
    )


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (recorded("modelscope/file-not-found.json", ""), "not found"),
        (Response('{"Code": 403, "Message": "no access", "Success": false}'), "gated"),
        (Response("", status=401), "gated"),
    ],
)
def test_modelscope_config_problems_are_recorded(upstream, endpoint, answer, problem):
    base = "/api/v1/models/Qwen/Qwen3-8B"
    upstream.expect_request(base).respond_with_response(
        recorded("modelscope/model-info-qwen3-8b.json", endpoint)
    )
    upstream.expect_request(f"{base}/repo").respond_with_response(answer)

    fetched = ModelScopeSource(endpoint=endpoint, **QUICK).fetch("Qwen/Qwen3-8B")

    assert (fetched.config, fetched.config_problem) == (None, problem)


# Feeds


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_feed_file_yields_its_document(tmp_path):
    document = (SERVER / "feed" / "export.json").read_text(encoding="utf-8")
    path = write(tmp_path / "export.json", document)

    assert list(FeedSource(location=str(path)).documents()) == [(str(path), json.loads(document))]


def test_feed_folder_reads_json_files_in_name_order_and_reports_bad_ones(tmp_path):
    write(tmp_path / "b.json", '{"name": "b"}')
    write(tmp_path / "a.json", '{"name": "a"}')
    write(tmp_path / "bad.json", '{\n  "name": "bad",\n  "oops"\n}')
    write(tmp_path / "notes.txt", "not a feed")
    write(tmp_path / ".hidden.json", '{"name": "hidden"}')
    (tmp_path / "folder.json").mkdir()
    os.mkfifo(tmp_path / "pipe.json")  # would block a plain open()

    documents = list(FeedSource(location=str(tmp_path)).documents())

    labels = [label for label, _ in documents]
    assert labels == [str(tmp_path / name) for name in ("a.json", "b.json", "bad.json")] + [
        str(tmp_path / "folder.json"),
        str(tmp_path / "pipe.json"),
    ]
    assert [document for _, document in documents[:2]] == [{"name": "a"}, {"name": "b"}]
    assert str(documents[2][1]) == (
        f"feed: {tmp_path / 'bad.json'}: not valid JSON (line 4, column 1: Expecting ':' delimiter)"
    )
    assert [str(error) for _, error in documents[3:]] == [
        f"feed: {tmp_path / 'folder.json'}: not a regular file",
        f"feed: {tmp_path / 'pipe.json'}: not a regular file",
    ]


def test_feed_folder_refuses_symlinks_leaving_it(tmp_path):
    feed = tmp_path / "feed"
    feed.mkdir()
    secret = write(tmp_path / "outside.json", '{"secret": true}')
    write(feed / "real.json", '{"name": "real"}')
    (feed / "escape.json").symlink_to(secret)
    (feed / "alias.json").symlink_to(feed / "real.json")

    documents = dict(FeedSource(location=str(feed)).documents())

    assert documents[str(feed / "alias.json")] == {"name": "real"}
    assert documents[str(feed / "real.json")] == {"name": "real"}
    assert str(documents[str(feed / "escape.json")]) == (
        f"feed: {feed / 'escape.json'}: links outside the feed folder"
    )


def test_feed_refuses_files_over_the_size_cap_and_nan(tmp_path):
    write(tmp_path / "big.json", json.dumps({"pad": "x" * 500}))
    write(tmp_path / "nan.json", '{"hidden_size": NaN}')

    documents = dict(FeedSource(location=str(tmp_path), max_response_bytes=200).documents())

    assert str(documents[str(tmp_path / "big.json")]).endswith("big.json: larger than 200 bytes")
    assert str(documents[str(tmp_path / "nan.json")]).endswith("(NaN is not allowed)")


def test_feed_location_that_does_not_exist_raises(tmp_path):
    with pytest.raises(SourceError, match=r"^feed: .*missing: cannot read \(No such file"):
        list(FeedSource(location=str(tmp_path / "missing")).documents())


def test_feed_url_reads_the_export_document_and_masks_secrets_in_its_label(upstream, endpoint):
    upstream.expect_request("/api/v1/export/").respond_with_data(
        (SERVER / "feed" / "export.json").read_bytes(), content_type="application/json"
    )

    feed = FeedSource(location=f"{endpoint}/api/v1/export/?token=abc123", **QUICK)
    [(label, document)] = feed.documents()

    assert label == f"{endpoint}/api/v1/export/?token=***"
    assert document["format"] == "llmregistry-catalog"
    assert upstream.log[0][0].headers["Accept"] == "application/json"


def test_feed_url_failures_are_yielded_so_the_caller_goes_on(upstream, endpoint):
    upstream.expect_request("/api/v1/export/").respond_with_data("gone", status=404)

    [(label, error)] = FeedSource(location=f"{endpoint}/api/v1/export/", **QUICK).documents()

    assert isinstance(error, SourceError)
    assert str(error) == f"feed: {label} answered HTTP 404"


def test_streamed_answer_is_cut_off_at_the_size_cap(upstream, endpoint):
    def endless(request: Request) -> Response:
        # No Content-Length: the cap has to hold while reading.
        return Response((b"[" + b"0," * 1000 for _ in range(100)), content_type="application/json")

    upstream.expect_request("/api/v1/export/").respond_with_handler(endless)

    feed = FeedSource(location=f"{endpoint}/api/v1/export/", max_response_bytes=10_000, **QUICK)
    [(_, error)] = feed.documents()

    assert str(error).endswith("/api/v1/export/: answer larger than 10000 bytes")


def test_gzip_answer_is_capped_after_inflating(upstream, endpoint):
    bomb = gzip.compress(b"[" + b"0," * 500_000 + b"0]")
    upstream.expect_request("/api/v1/export/").respond_with_data(
        bomb, headers={"Content-Encoding": "gzip"}, content_type="application/json"
    )

    feed = FeedSource(location=f"{endpoint}/api/v1/export/", max_response_bytes=50_000, **QUICK)
    [(_, error)] = feed.documents()

    assert len(bomb) < 50_000
    assert str(error).endswith("answer larger than 50000 bytes")
