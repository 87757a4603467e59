import pytest
from django.test import override_settings

from tests.support.servers import unique_suffix


@pytest.fixture(scope="session")
def channels_prefix():
    """A channel-layer prefix of this test session's own: other runs share the Redis."""
    return f"flowdesk-test-{unique_suffix()}"


@pytest.fixture(autouse=True)
def _own_channel_layer(settings, channels_prefix):
    layers = settings.CHANNEL_LAYERS
    if layers["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer":
        config = {**layers["default"]["CONFIG"], "prefix": channels_prefix}
        with override_settings(CHANNEL_LAYERS={"default": {**layers["default"], "CONFIG": config}}):
            yield
    else:
        yield
