from leads.tests.conftest import client_as, make_user, owner_of

__all__ = ["client_as", "make_user", "owner_of"]
