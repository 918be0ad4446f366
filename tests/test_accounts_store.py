"""Accounts and API tokens on both engines of the store (SQLite and PostgreSQL)."""
import pytest

from kb.ops.accounts import AccountError, Accounts
from kb.ops.database import Store

PASSWORD = "correct horse battery"


def test_users_passwords_and_tokens(store_url):
    accounts = Accounts(Store(store_url))
    eva = accounts.add("Eva", "editor", PASSWORD)
    bob = accounts.add("bob", "agent", PASSWORD)
    assert (eva.username, eva.role, bob.id) == ("eva", "editor", eva.id + 1)
    with pytest.raises(AccountError, match="exists already"):
        accounts.add("eva", "agent", PASSWORD)
    assert accounts.authenticate("EVA", PASSWORD) == eva and accounts.authenticate("eva", "wrong one!!") is None
    accounts.set_password("eva", "another long pw")
    assert accounts.authenticate("eva", PASSWORD) is None and accounts.authenticate("eva", "another long pw") == eva
    token, secret = accounts.create_token("bob", "chat bot")
    assert accounts.user_for_token(secret) == bob and token.id >= 1
    assert [t.name for t in accounts.tokens()] == ["chat bot"]
    accounts.revoke_token(token.id)
    assert accounts.user_for_token(secret) is None
    with pytest.raises(AccountError, match="no active token"):
        accounts.revoke_token(token.id)
    accounts.remove("bob")
    assert [u.username for u, _ in accounts.list()] == ["eva"] and accounts.get(bob.id) is None


def test_accounts_survive_a_second_start(store_url):
    Accounts(Store(store_url)).add("eva", "editor", PASSWORD)
    again = Accounts(Store(store_url))  # schema creation is idempotent on both engines
    assert again.authenticate("eva", PASSWORD).username == "eva"
