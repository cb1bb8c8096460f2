"""The integration layer's fixtures (a real server process, the command, real databases) serve here too."""
from tests.integration.conftest import clock, exam_cli, exam_session, live, services  # noqa: F401
