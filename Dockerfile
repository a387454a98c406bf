# syntax=docker/dockerfile:1
# The ChatRealty image: the web process (gunicorn), the Celery worker and beat all run it.
# Used by platform/compose.yaml; see platform/README.md. Build from the repository root:
#   docker build -t chatrealty .

# --- front-end packages (fonts, MapLibre) installed from the lock file ----------------------
FROM node:22-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

# --- the application --------------------------------------------------------------------------
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    APP_HOME=/srv/chatrealty/app

# Pango and HarfBuzz for WeasyPrint's PDFs (CMA reports), a font they can always find.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 1000 chatrealty \
 && useradd --system --uid 1000 --gid chatrealty --home-dir /srv/chatrealty --shell /usr/sbin/nologin chatrealty

WORKDIR $APP_HOME

# Pinned Python packages first, so code changes do not reinstall them.
COPY requirements/base.txt requirements/base.txt
RUN pip install -r requirements/base.txt

# Only what the app needs at run time: no .venv or var/ from the build host, and no devtools/
# (local fakes, synthetic data, the demo), tests or benchmarks (.dockerignore leaves them out).
COPY manage.py pyproject.toml ./
COPY config/ config/
COPY tenants/ tenants/
COPY accounts/ accounts/
COPY cms/ cms/
COPY themes/ themes/
COPY listings/ listings/
COPY mls_sync/ mls_sync/
COPY chat/ chat/
COPY cma/ cma/
COPY billing/ billing/
COPY templates/ templates/
COPY static/ static/
COPY --from=assets /build/node_modules/ node_modules/

# Static files (with the npm packages, see STATICFILES_DIRS) hashed and compressed into
# STATIC_ROOT = var/static. Production settings refuse to load without their secrets; these
# dummy values exist only during this step and are not kept in the image.
RUN DJANGO_SETTINGS_MODULE=config.settings.production \
    DJANGO_SECRET_KEY=collectstatic-only-not-a-secret \
    DJANGO_ALLOWED_HOSTS=localhost \
    STRIPE_SECRET_KEY=sk_test_collectstatic \
    STRIPE_WEBHOOK_SECRET=whsec_collectstatic \
    python manage.py collectstatic --noinput -v0

# Folders the processes write to (compose mounts volumes over them; a new named volume copies
# this ownership): media, and the gunicorn socket shared with the proxy.
RUN mkdir -p /srv/chatrealty/media /run/chatrealty \
 && chown -R chatrealty:chatrealty /srv/chatrealty/media /run/chatrealty $APP_HOME/var

USER chatrealty
ENV DJANGO_SETTINGS_MODULE=config.settings.production \
    MEDIA_ROOT=/srv/chatrealty/media
EXPOSE 8000
# Bind, workers and threads from config/gunicorn.py (GUNICORN_BIND, WEB_CONCURRENCY, GUNICORN_THREADS).
CMD ["gunicorn", "-c", "python:config.gunicorn", "config.wsgi"]
