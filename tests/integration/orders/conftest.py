from tests.integration.provisioning.conftest import world  # noqa: F401
from tests.integration.subscriptions.shop import inline_worker, shop  # noqa: F401
