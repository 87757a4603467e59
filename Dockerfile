# One image for web (Daphne), worker and beat.
FROM node:20-bookworm-slim AS static
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.12-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
COPY --from=static /app/node_modules/htmx-ext-ws/dist/ws.min.js static/vendor/htmx-ext-ws.min.js
COPY --from=static /app/node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js static/vendor/
COPY --from=static /app/node_modules/bpmn-js/dist/assets/ static/vendor/bpmn-js/
RUN SECRET_KEY=build DATABASE_URL=sqlite:////tmp/build.sqlite3 REDIS_URL=redis://unused:6379/0 \
    python manage.py collectstatic --noinput
RUN useradd --create-home flowdesk && mkdir -p /app/var && chown -R flowdesk /app/var
USER flowdesk
EXPOSE 8000
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "bpm_project.asgi:application"]
