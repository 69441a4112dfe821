"""Health checks of deployments: ask each active endpoint for its models, the OpenAI-compatible
``GET <endpoint>/v1/models``, within a bounded time, and record what it answered.

A failure is a value recorded on the deployment (``health``, ``last_error``), never an exception
raised to the caller. An event is recorded only when the health changes (up or unknown to down,
down to up), so webhooks hear about an outage once. Nothing here needs Redis: the deliveries of
those events are rows first, queued after commit, and swept later when the queue is down.

The model list: https://platform.openai.com/docs/api-reference/models/list (``{"object":
"list", "data": [{"id": ...}, ...]}``), served as ``/v1/models`` by vLLM's OpenAI-compatible
server (https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html) and the other
engines of ``Engine``.

An endpoint started with an API key (``--api-key`` of vLLM,
https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html, of SGLang,
https://docs.sglang.ai/advanced_features/server_arguments.html, and of llama-server,
https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md) is asked with the
deployment's key as OpenAI's clients send it, ``Authorization: Bearer <key>``
(https://platform.openai.com/docs/api-reference/authentication), and only on the endpoint's own
origin: a redirect elsewhere is never followed.
"""

from __future__ import annotations

import json
import logging
import math
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field

import httpx
from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from adoption.choices import DeploymentStatus, EventKind, Health
from adoption.models import Deployment
from adoption.services.events import event_record

logger = logging.getLogger(__name__)

# Error messages users see (constants: the tests assert on them). Stored in last_error as English
# text, the language the check runs in.
TIMED_OUT = _("No answer within %(seconds)s s.")
CANNOT_CONNECT = _("Cannot connect: the connection was refused or the host is unreachable.")
CONNECTION_BROKE = _("The connection broke before the answer was complete.")
BAD_ADDRESS = _("The endpoint is not a valid http or https address.")
HTTP_STATUS = _("Answered HTTP %(status)s instead of 200.")
KEY_WANTED = _(
    "Answered HTTP %(status)s: the endpoint wants an API key. Give the deployment the key the "
    "endpoint was started with."
)
KEY_REFUSED = _("Answered HTTP %(status)s: the endpoint refused the deployment's API key.")
NOT_JSON = _("The answer is not JSON.")
NOT_MODEL_LIST = _('The answer is not a model list (a JSON object whose "data" lists models).')
TOO_LARGE = _("The answer is larger than %(limit)s bytes.")
REDIRECT_ELSEWHERE = _("Redirected to another host (%(target)s); not followed.")
TOO_MANY_REDIRECTS = _("More than %(count)s redirects.")
DOWN_TITLE = _("%(name)s is down")
UP_TITLE = _("%(name)s is back up")
UP_SUMMARY = _("The endpoint answers again after %(count)s failed checks.")

# The language stored messages and event texts are written in.
STORED_LANGUAGE = "en"
# Redirects followed, each only to the endpoint's own scheme, host and port.
MAX_REDIRECTS = 3
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_BODY_BYTES = 1024 * 1024
# What is kept of the answer: model ids, as many and as long as a page shows.
MAX_SERVED_MODELS = 50
MAX_MODEL_ID_CHARS = 200
MAX_ERROR_CHARS = 500  # Deployment.last_error's max_length
# Checks run at once. The work is waiting on sockets, so threads overlap it: a run of n
# deployments takes at most check_budget_seconds(n), where one after the other a handful of
# dead endpoints would hold the job for minutes.
CHECK_WORKERS = 8
USER_AGENT = "llmregistry health check"
DEFAULT_PORTS = {"http": 80, "https": 443}
AUTH_STATUSES = frozenset({401, 403})


@dataclass(frozen=True)
class Probe:
    """What one endpoint answered: ``error`` is empty when it is up."""

    error: str = ""
    served_models: list[str] = field(default_factory=list)

    @property
    def up(self) -> bool:
        return not self.error


class _ProbeFailed(Exception):
    """One way the check failed; ``message`` is the text stored."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def models_url(endpoint_url: str) -> httpx.URL:
    """``<endpoint>/v1/models``; an endpoint given with its ``/v1`` does not get a second one.
    Raises ``httpx.InvalidURL`` for an address httpx cannot use."""
    url = httpx.URL(endpoint_url.strip())
    if url.scheme not in DEFAULT_PORTS or not url.host:
        raise httpx.InvalidURL("not an http(s) address")
    path = url.path.rstrip("/")
    if not path.endswith("/v1"):
        path += "/v1"
    return url.copy_with(path=f"{path}/models", fragment=None)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port or DEFAULT_PORTS.get(url.scheme)


def _origin_text(url: httpx.URL) -> str:
    """Scheme, host and port only: no user-info, path or query (they may hold secrets)."""
    scheme, host, port = _origin(url)
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}:{port}"[:200]


def _read_capped(response: httpx.Response, deadline: float, timeout_seconds: float) -> bytes:
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise _ProbeFailed(TOO_LARGE % {"limit": MAX_BODY_BYTES})
        # A server trickling bytes keeps each read under the read timeout: the deadline is total.
        if time.monotonic() > deadline:
            raise _ProbeFailed(TIMED_OUT % {"seconds": timeout_seconds})
    return bytes(body)


def _served_models(body: bytes) -> list[str]:
    try:
        document = json.loads(body)
    except ValueError:  # JSONDecodeError and UnicodeDecodeError
        raise _ProbeFailed(NOT_JSON) from None
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, list) or not all(
        isinstance(item, dict) and isinstance(item.get("id"), str) for item in data
    ):
        raise _ProbeFailed(NOT_MODEL_LIST)
    return [item["id"][:MAX_MODEL_ID_CHARS] for item in data[:MAX_SERVED_MODELS]]


def _ask(client: httpx.Client, url: httpx.URL, timeout_seconds: float, api_key: str) -> list[str]:
    deadline = time.monotonic() + timeout_seconds
    origin = _origin(url)
    # Sent on the endpoint's own origin only: every redirect followed stays on it.
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    for _redirect in range(MAX_REDIRECTS + 1):
        # Each step gets what is left of the time; none gets less than a tenth of a second.
        left = max(deadline - time.monotonic(), 0.1)
        with client.stream(
            "GET", url, headers=headers, timeout=httpx.Timeout(left), follow_redirects=False
        ) as response:
            location = response.headers.get("Location")
            if response.status_code in REDIRECT_STATUSES and location:
                try:
                    target = url.join(location)
                except httpx.InvalidURL:  # a Location nobody could follow
                    raise _ProbeFailed(HTTP_STATUS % {"status": response.status_code}) from None
                if _origin(target) != origin:
                    raise _ProbeFailed(REDIRECT_ELSEWHERE % {"target": _origin_text(target)})
                url = target
                continue
            if response.status_code in AUTH_STATUSES:
                refused = KEY_REFUSED if api_key else KEY_WANTED
                raise _ProbeFailed(refused % {"status": response.status_code})
            if response.status_code != 200:
                raise _ProbeFailed(HTTP_STATUS % {"status": response.status_code})
            return _served_models(_read_capped(response, deadline, timeout_seconds))
    raise _ProbeFailed(TOO_MANY_REDIRECTS % {"count": MAX_REDIRECTS})


def endpoint_probe(
    endpoint_url: str,
    *,
    timeout_seconds: float,
    api_key: str = "",
    client: httpx.Client | None = None,
) -> Probe:
    """Ask ``<endpoint_url>/v1/models`` for its model list. Touches no database, so it runs in
    any thread.

    ``timeout_seconds`` bounds connecting and every wait for data, and the answer's body
    (redirects included) is given up once that much time has passed since the first request.
    Only the endpoint's own scheme, host and port are asked, redirects included;
    no proxy from the environment is used. ``api_key``: sent as ``Authorization: Bearer``
    when given (a 401 or 403 names the key as the cause). ``client``: an httpx client to send
    with (its
    redirect and timeout settings are overridden per request). Returns the ids of the models
    served (at most ``MAX_SERVED_MODELS``), or the error; never raises for a network failure
    or a bad answer.
    """
    with translation.override(STORED_LANGUAGE):
        try:
            url = models_url(endpoint_url)
            if client is not None:
                served = _ask(client, url, timeout_seconds, api_key)
            else:
                with httpx.Client(
                    trust_env=False,
                    follow_redirects=False,
                    # Counted after decompression; asking for none keeps the cap honest.
                    headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
                ) as own_client:
                    served = _ask(own_client, url, timeout_seconds, api_key)
        except _ProbeFailed as failure:
            return Probe(error=str(failure.message)[:MAX_ERROR_CHARS])
        except httpx.TimeoutException:
            return Probe(error=str(TIMED_OUT % {"seconds": timeout_seconds}))
        except httpx.ConnectError:
            return Probe(error=str(CANNOT_CONNECT))
        except (httpx.InvalidURL, httpx.UnsupportedProtocol):
            return Probe(error=str(BAD_ADDRESS))
        except (httpx.HTTPError, OSError):
            return Probe(error=str(CONNECTION_BROKE))
        return Probe(served_models=served)


def _admin_path(deployment: Deployment) -> str:
    try:
        with translation.override(STORED_LANGUAGE):
            return reverse("admin:adoption_deployment_change", args=[deployment.pk])
    except NoReverseMatch:  # the admin page is not registered
        return ""


def _transition_record(
    deployment: Deployment, *, previous: str, failures: int, probe: Probe, now
) -> None:
    name = deployment.name
    with translation.override(STORED_LANGUAGE):
        if probe.up and previous == Health.DOWN:
            kind = EventKind.ENDPOINT_UP
            title = str(UP_TITLE % {"name": name})
            summary = str(UP_SUMMARY % {"count": failures})
        elif not probe.up and previous != Health.DOWN:
            kind = EventKind.ENDPOINT_DOWN
            title = str(DOWN_TITLE % {"name": name})
            summary = probe.error
        else:
            return
    event_record(
        kind=kind,
        title=title,
        summary=summary,
        path=_admin_path(deployment),
        payload={
            "deployment_id": deployment.pk,
            "health": Health.UP if probe.up else Health.DOWN,
            "error": probe.error,
            "served_models": probe.served_models,
        },
        occurred_at=now,
        deployment=deployment,
        variant_id=deployment.variant_id,
    )


def probe_record(deployment: Deployment, probe: Probe, *, now=None) -> Deployment:
    """Write a probe's outcome on ``deployment`` (its health fields only) and record an event
    when the health changed. The row is locked while it is read and written, so two checks
    running at once record one change once. Returns ``deployment`` with the fields updated."""
    now = now or timezone.now()
    with transaction.atomic():
        current = (
            Deployment.objects.select_for_update()
            .filter(pk=deployment.pk)
            .values("health", "consecutive_failures", "last_seen_up_at")
            .first()
        )
        if current is None:  # deleted since it was read
            return deployment
        if probe.up:
            fields = {
                "health": Health.UP,
                "last_seen_up_at": now,
                "consecutive_failures": 0,
                "last_error": "",
                "served_models": probe.served_models,
            }
        else:
            # The models last seen are kept: what the endpoint served before it went down.
            fields = {
                "health": Health.DOWN,
                "last_error": probe.error,
                "consecutive_failures": current["consecutive_failures"] + 1,
            }
        fields["last_checked_at"] = now
        Deployment.objects.filter(pk=deployment.pk).update(**fields)
        for name, value in {**current, **fields}.items():
            setattr(deployment, name, value)
        _transition_record(
            deployment,
            previous=current["health"],
            failures=current["consecutive_failures"],
            probe=probe,
            now=now,
        )
    return deployment


def deployment_check(
    deployment: Deployment, *, client: httpx.Client | None = None, now=None
) -> Deployment:
    """Ask one deployment's endpoint for its models (``GET <endpoint>/v1/models``, bounded by
    ``ADOPTION_HEALTH_TIMEOUT_SECONDS``) and record the outcome: ``health``,
    ``last_checked_at``, ``last_seen_up_at``, ``last_error``, ``consecutive_failures``,
    ``served_models``, and an ENDPOINT_DOWN or ENDPOINT_UP event when the health changed.
    ``client``: an httpx client to send with. Returns ``deployment``, updated; never raises for
    a network failure or a bad answer."""
    probe = endpoint_probe(
        deployment.endpoint_url,
        timeout_seconds=settings.ADOPTION_HEALTH_TIMEOUT_SECONDS,
        api_key=deployment.api_key,
        client=client,
    )
    return probe_record(deployment, probe, now=now)


def deployments_to_check():
    """Active deployments that name an endpoint."""
    return (
        Deployment.objects.filter(status=DeploymentStatus.ACTIVE)
        .exclude(endpoint_url="")
        .order_by("pk")
    )


def deployments_check_all(*, now=None, deployment_ids: list[int] | None = None) -> dict:
    """Check every active deployment with an endpoint, ``CHECK_WORKERS`` at a time, and record
    each outcome as :func:`deployment_check` does. The threads only talk to the endpoints; the
    database is read and written in the calling thread (no connection is opened in a thread,
    and every write sees the caller's transaction). Needs no Redis.

    Bounded: a check not finished after ``check_budget_seconds(n)`` is recorded as timed out
    and its thread left to end on its own, so a server that trickles its headers byte by byte
    cannot hold the job. ``deployment_ids``: only those (the admin's "Check now"). Returns
    ``{"checked", "up", "down"}`` counts."""
    chosen = deployments_to_check()
    if deployment_ids is not None:
        chosen = chosen.filter(pk__in=deployment_ids)
    deployments = list(chosen.only("pk", "name", "endpoint_url", "api_key", "variant_id"))
    counts = {"checked": 0, "up": 0, "down": 0}
    if not deployments:
        return counts
    timeout_seconds = settings.ADOPTION_HEALTH_TIMEOUT_SECONDS
    budget_seconds = check_budget_seconds(len(deployments), timeout_seconds=timeout_seconds)
    pool = ThreadPoolExecutor(
        max_workers=min(CHECK_WORKERS, len(deployments)), thread_name_prefix="health-check"
    )
    try:
        futures = [
            pool.submit(
                endpoint_probe,
                deployment.endpoint_url,
                timeout_seconds=timeout_seconds,
                api_key=deployment.api_key,
            )
            for deployment in deployments
        ]
        done, _late = wait(futures, timeout=budget_seconds)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    with translation.override(STORED_LANGUAGE):
        late = Probe(error=str(TIMED_OUT % {"seconds": timeout_seconds}))
    for deployment, future in zip(deployments, futures, strict=True):
        if future in done:
            probe = future.result()
        else:
            logger.warning(
                "Health check of deployment %s took over %s s", deployment.pk, budget_seconds
            )
            probe = late
        probe_record(deployment, probe, now=now)
        counts["checked"] += 1
        counts["up" if probe.up else "down"] += 1
    return counts


def check_budget_seconds(count: int, *, timeout_seconds: float) -> float:
    """The longest :func:`deployments_check_all` waits for ``count`` checks: each in turn of
    ``CHECK_WORKERS`` is given twice the timeout (connecting and the answer's body may each
    take up to the timeout), plus a second for the threads to start."""
    rounds = math.ceil(count / CHECK_WORKERS)
    return 2 * timeout_seconds * rounds + 1


def deployments_check_enqueue(deployment_ids: list[int]) -> bool:
    """Queue a check of these deployments (the admin's "Check now"): the request never waits
    for an endpoint. False when the queue cannot be reached; the periodic check covers them."""
    from adoption import tasks  # tasks import services; deferred, not circular

    try:
        tasks.check_deployments.delay(deployment_ids=sorted(deployment_ids))
    except Exception:  # the broker's errors vary by transport
        logger.warning("Could not queue a health check of %s", deployment_ids)
        return False
    return True
