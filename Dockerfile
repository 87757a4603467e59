# One image for web (Daphne), worker and beat: `docker compose up --build`.
# Three stages: the npm assets (Node LTS), the locked Python packages in a venv, and
# a slim runtime that copies only those two in and runs as a non-root user.

FROM node:24-trixie-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
# What `make vendor` copies: the only npm files a page loads.
RUN mkdir -p vendor/bpmn-js \
 && cp node_modules/htmx-ext-ws/dist/ws.min.js vendor/htmx-ext-ws.min.js \
 && cp node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js vendor/ \
 && cp -r node_modules/bpmn-js/dist/assets/* vendor/bpmn-js/

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
