"""Clients for the suites' local servers: built with a suite's defaults, closed after the test."""

import talon_one

# Settings that choose how a client authenticates; given any of them, no default credential is added.
CREDENTIAL_SETTINGS = frozenset(("api_key", "api_key_v1", "application_id", "application_key"))


class Clients:
    """Builds ApiClients from Configuration keywords and closes every one it built.

    A keyword given to client() or api() wins over the suite's default of the
    same name. `credentials` (Configuration keywords) are added only when the
    call names no credential setting itself.
    """

    def __init__(self, credentials=None, **defaults):
        self.credentials = dict(credentials or {})
        self.defaults = defaults
        self.built = []

    def client(self, **settings):
        if not CREDENTIAL_SETTINGS & set(settings):
            settings = dict(self.credentials, **settings)
        client = talon_one.ApiClient(talon_one.Configuration(**dict(self.defaults, **settings)))
        self.built.append(client)
        return client

    def api(self, **settings):
        return talon_one.IntegrationApi(self.client(**settings))

    def close(self):
        for client in self.built:
            client.close()
