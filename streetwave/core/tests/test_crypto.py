import pytest
from cryptography.fernet import Fernet, InvalidToken

from streetwave.core import crypto
from streetwave.core.crypto import EncryptedTextField


@pytest.fixture
def keys(settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    return settings


def test_encrypted_field_round_trips_and_never_stores_plaintext(keys):
    field = EncryptedTextField()
    stored = field.get_prep_value("maryam@example.org")
    assert "maryam" not in stored and "example" not in stored
    assert field.from_db_value(stored, None, None) == "maryam@example.org"


def test_each_encryption_differs_so_equal_contacts_are_not_linkable_by_ciphertext(keys):
    assert crypto.encrypt("same@example.org") != crypto.encrypt("same@example.org")


def test_a_new_key_still_reads_old_values_and_rotate_moves_them_to_it(keys):
    old_key = keys.FIELD_ENCRYPTION_KEYS[0]
    token = crypto.encrypt("reza@example.org")

    keys.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old_key]
    assert crypto.decrypt(token) == "reza@example.org"
    rotated = crypto.rotate(token)

    keys.FIELD_ENCRYPTION_KEYS = keys.FIELD_ENCRYPTION_KEYS[:1]
    assert crypto.decrypt(rotated) == "reza@example.org"
    with pytest.raises(InvalidToken):
        crypto.decrypt(token)


def test_a_tampered_value_is_refused(keys):
    token = crypto.encrypt("nima@example.org")
    flipped = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
    with pytest.raises(InvalidToken):
        crypto.decrypt(flipped)


def test_blind_index_is_keyed_and_normalized(settings):
    settings.BLIND_INDEX_KEY = "k1" * 32
    first = crypto.blind_index("  Shirin@Example.ORG ")
    assert first == crypto.blind_index("shirin@example.org")
    assert "shirin" not in first and len(first) == 64
    settings.BLIND_INDEX_KEY = "k2" * 32
    assert crypto.blind_index("shirin@example.org") != first


def test_encrypted_field_refuses_lookups_that_would_compare_ciphertext():
    assert EncryptedTextField().get_lookup("icontains") is None
    assert EncryptedTextField().get_lookup("isnull") is not None
