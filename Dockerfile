# One image for every role of the compose deployment: web, worker, beat and migrate.
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN groupadd --system --gid 10001 registry \
    && useradd --system --uid 10001 --gid registry --home-dir /app --shell /usr/sbin/nologin registry

COPY pyproject.toml ./
RUN pip install .

COPY --chown=registry:registry . .
# Static files are collected at build time and served by the app (WhiteNoise): no CDN.
RUN DJANGO_SECRET_KEY=build-only-not-secret DATABASE_URL=postgres://build@localhost/build \
    python manage.py collectstatic --noinput --verbosity 0

USER registry
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://localhost:8000/healthz', timeout=4).status != 200)"]
CMD ["gunicorn", "llmregistry.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
