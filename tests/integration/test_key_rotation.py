"""The bank key can be replaced: every item is re-sealed, an interrupted rotation loses nothing."""
from __future__ import annotations

from exam_server.security import keys
from exam_server.services import banks
from exam_server.composition import build_services
from exam_server.services.key_rotation import rotate_bank_key
from tests.integration.helpers import GIFT_BANK


def stems(services) -> list[str]:
    items, _ = banks.bank_items(services, "umum")
    return [item.stem for item in items]


def test_rotating_the_bank_key_keeps_every_item_readable_with_the_new_key_only(services):
    banks.import_bank(services, GIFT_BANK.encode(), "umum.gift", bank_code="umum")
    before = stems(services)
    old_key = (services.settings.data_dir / "bank.key").read_bytes()
    done = rotate_bank_key(services)
    assert done["items"] == 8
    assert (services.settings.data_dir / "bank.key").read_bytes() != old_key
    assert oct((services.settings.data_dir / "bank.key").stat().st_mode)[-3:] == "600"
    fresh = build_services(services.settings)  # a new process knows only the new key
    assert stems(fresh) == before
    fresh.close()


def test_a_rotation_interrupted_after_the_commit_still_opens_everything(services, monkeypatch):
    banks.import_bank(services, GIFT_BANK.encode(), "umum.gift", bank_code="umum")
    before = stems(services)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("power cut before the key files were swapped")

    monkeypatch.setattr(keys, "finish_bank_key_rotation", crash)
    try:
        rotate_bank_key(services)
    except KeyboardInterrupt:
        pass
    monkeypatch.undo()
    assert (services.settings.data_dir / keys.NEXT_BANK_KEY_FILE).exists()
    restarted = build_services(services.settings)
    assert stems(restarted) == before  # rows sealed with the next key, opened through the fallback
    assert rotate_bank_key(restarted)["items"] == 8  # running it again finishes the job
    assert not (services.settings.data_dir / keys.NEXT_BANK_KEY_FILE).exists()
    finished = build_services(services.settings)
    assert stems(finished) == before
    restarted.close()
    finished.close()
