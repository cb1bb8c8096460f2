"""Exam server: computer-based testing with real-time scoring and remote proctoring."""

__version__ = "0.1.0"


def create_app(config=None, **kwargs):
    """The application factory (see ``exam_server.app.create_app``)."""
    from exam_server.app import create_app as factory

    return factory(config, **kwargs)
