"""Which attempts this server runs: at a hub, a site's attempts are run by the site and only mirrored here."""
from __future__ import annotations

from sqlalchemy import select, true

from exam_server.sites.role import read_role
from exam_server.store import models


def runs_here(ctx):
    """A condition on ``Attempt``: true for the attempts whose clock this server keeps."""
    if read_role(ctx.settings.data_dir) != "hub":
        return true()
    at_sites = select(models.ExamSession.id).where(models.ExamSession.site_code.is_not(None))
    return models.Attempt.session_id.not_in(at_sites)
