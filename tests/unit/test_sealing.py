"""Sealed packages hide their content and length; a release code opens one session at one site only."""
import pytest

from exam_server.sites import sealing


def test_a_sealed_package_opens_with_its_key_only():
    key = sealing.new_session_key()
    blob = sealing.seal({"items": ["Ibu kota negara"]}, key, "A", 7)
    assert b"Ibu kota" not in blob
    assert sealing.open_sealed(blob, key, "A", 7) == {"items": ["Ibu kota negara"]}
    for other in ((sealing.new_session_key(), "A", 7), (key, "B", 7), (key, "A", 8)):
        with pytest.raises(sealing.WrongKey):
            sealing.open_sealed(blob, *other)


def test_padding_hides_the_length():
    key = sealing.new_session_key()
    small = sealing.seal({"items": ["x"]}, key, "A", 1)
    large = sealing.seal({"items": ["x" * 100_000]}, key, "A", 1)
    assert len(small) == len(large)


def test_release_codes_are_groups_of_digits():
    code = sealing.new_release_code()
    groups = code.split("-")
    assert len(groups) == 4 and all(len(g) == 4 and g.isdigit() for g in groups)
    assert sealing.normalise_code(code.replace("-", " ")) == code.replace("-", "")
    with pytest.raises(sealing.WrongKey):
        sealing.normalise_code("1234")


def test_a_code_unwraps_its_own_session_at_its_own_site_only():
    key, code = sealing.new_session_key(), sealing.new_release_code()
    wrapped = sealing.wrap(key, code, "A", 5)
    assert code.replace("-", "") not in str(wrapped)
    assert sealing.unwrap(wrapped, code, "A", 5) == key
    wrong = "0000-0000-0000-0000" if code != "0000-0000-0000-0000" else "1111-1111-1111-1111"
    for args in ((wrong, "A", 5), (code, "B", 5), (code, "A", 6)):
        with pytest.raises(sealing.WrongKey):
            sealing.unwrap(wrapped, *args)


def test_an_unreasonable_kdf_in_a_package_is_refused():
    key, code = sealing.new_session_key(), sealing.new_release_code()
    wrapped = {**sealing.wrap(key, code, "A", 5), "n": 2 ** 30}
    with pytest.raises(sealing.WrongKey):
        sealing.unwrap(wrapped, code, "A", 5)
