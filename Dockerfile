# One image for web (Daphne), worker and beat: `docker compose up --build`.
# Four stages: the npm assets (Node LTS), the compiled translations, the locked Python
# packages in a venv, and a slim runtime that copies those in and runs as a non-root user.

FROM node:24-trixie-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
# What `make vendor` builds: the npm files a page loads and the designer's bundle.
COPY scripts/build-static.sh scripts/build-static.sh
COPY static/designer/src static/designer/src
RUN sh scripts/build-static.sh vendor

# The German catalogue, compiled (.mo files are build output, never committed).
FROM python:3.12-slim-trixie AS messages
RUN apt-get update && apt-get install -y --no-install-recommends gettext \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY locale locale
RUN find locale -name '*.po' -exec sh -c 'msgfmt --check -o "${1%.po}.mo" "$1"' _ {} \;

FROM python:3.12-slim-trixie AS packages
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY requirements.lock /tmp/requirements.lock
# Runtime packages only, each file checked against the lock's hashes.
RUN /opt/venv/bin/pip install --require-hashes --no-deps -r /tmp/requirements.lock

FROM python:3.12-slim-trixie
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH
RUN useradd --system --create-home --uid 10001 --user-group flowdesk
WORKDIR /app
COPY --from=packages /opt/venv /opt/venv
COPY . .
COPY --from=assets /build/vendor static/vendor
COPY --from=messages /build/locale locale
# collectstatic reads no database; DEBUG=1 only lets settings load without a SECRET_KEY.
RUN DEBUG=1 python manage.py collectstatic --noinput --verbosity 0 \
 && rm -f var/flowdesk.sqlite3* \
 && mkdir -p var/media var/mail var/inbox \
 && chown -R flowdesk:flowdesk var
USER flowdesk
EXPOSE 8000
# The web service answers /healthz (database, worker and beat heartbeats); compose
# gives worker and beat checks of their own.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=4 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "bpm_project.asgi:application"]
