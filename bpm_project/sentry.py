"""Error reports to Sentry. Settings import this module only when SENTRY_DSN is set,
so sentry-sdk is never loaded otherwise."""

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration


def init(*, dsn: str, environment: str, traces_sample_rate: float) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        traces_sample_rate=traces_sample_rate,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # Case data is customers' data: no request bodies, cookies or user e-mails.
        send_default_pii=False,
        max_request_body_size="never",
    )
