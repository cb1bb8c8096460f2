"""The integration layer's fixtures serve the security tests too."""
from tests.integration.conftest import clock, exam_cli, exam_session, live, services  # noqa: F401
