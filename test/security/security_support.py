"""Secrets, captures and the secret scanner shared by the security tests."""

import base64
import logging
import pickle
import secrets
import traceback

import talon_one


class Secrets:
    """Distinctive credential values, new for each run, and every form they could leak in."""

    def __init__(self):
        self.api_key = "tk-apikey-" + secrets.token_hex(16)
        self.application_id = 7000 + secrets.randbelow(1000)
        self.application_key = secrets.token_hex(16)
        self.wrong_application_key = secrets.token_hex(16)
        self.proxy_user = "proxyuser"
        self.proxy_password = "pw" + secrets.token_hex(10)
        self.client_key_line = None  # a line of the client certificate's private key (conftest sets it)

    @property
    def proxy_userinfo(self):
        return "%s:%s" % (self.proxy_user, self.proxy_password)

    @property
    def proxy_authorization(self):
        return "Basic " + base64.b64encode(self.proxy_userinfo.encode()).decode()

    def forms(self):
        """name -> text: the values, and the encoded forms that would reveal them just as well."""
        forms = {
            "api key": self.api_key,
            "application key": self.application_key,
            "application key (upper case)": self.application_key.upper(),
            "application key (bytes repr)": repr(bytes.fromhex(self.application_key))[2:-1],
            "wrong application key": self.wrong_application_key,
            "proxy password": self.proxy_password,
            "proxy credentials (Basic)": self.proxy_authorization.split(" ", 1)[1],
        }
        if self.client_key_line:
            forms["client private key"] = self.client_key_line
        return forms


SECRETS = Secrets()


def new_event(session="session-1", profile="profile-1", **attributes):
    return talon_one.NewEvent(profile_id=profile, type="viewed_page", attributes=attributes,
                              session_id=session)


class Records(logging.Handler):
    """Keeps every record it sees; installed on the root logger."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record):
        self.records.append(record)


class Capture:
    """Every log record (any logger, at DEBUG, through the root logger) and every warning of a test."""

    def __init__(self, handler, caught):
        self._handler = handler
        self._caught = caught

    @property
    def records(self):
        return list(self._handler.records)

    @property
    def warnings(self):
        return list(self._caught)

    def log_texts(self):
        """Each record as a handler writes it (traceback included), and its raw message and arguments."""
        texts = []
        for record in self.records:
            texts.append(self._handler.format(record))
            texts.append(repr(record.msg) + repr(record.args))
        return texts

    def warning_texts(self):
        return ["%s: %s (%s:%s)" % (w.category.__name__, w.message, w.filename, w.lineno) for w in self._caught]

    def messages(self, logger_name, level=None):
        return [r.getMessage() for r in self.records
                if r.name.split(".")[0] == logger_name and (level is None or r.levelno == level)]

    def text(self, logger_name=None):
        return "\n".join(self._handler.format(r) for r in self.records
                         if logger_name is None or r.name.split(".")[0] == logger_name)


def exception_texts(error):
    """Everything an exception shows: str, repr, args, attributes, the traceback with its whole
    chain, and the same for a pickled-then-unpickled copy."""
    texts = []
    seen = set()
    item = error
    while item is not None and id(item) not in seen:
        seen.add(id(item))
        texts += [str(item), repr(item), repr(item.args), repr(getattr(item, "__dict__", {}))]
        item = item.__cause__ or item.__context__
    texts.append("".join(traceback.format_exception(type(error), error, error.__traceback__)))
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error) and str(copy) == str(error), "%r does not survive pickling" % error
    texts += [str(copy), repr(copy), repr(copy.args), repr(copy.__dict__),
              "".join(traceback.format_exception_only(type(copy), copy))]
    return texts


class Scan:
    """Looks for every form of every secret in texts; records how much it checked as figures."""

    def __init__(self, figures, creds=SECRETS):
        self.figures = figures
        self.forms = creds.forms()
        self.hits = []

    def _check(self, where, texts, figure):
        for text in texts:
            for name, form in self.forms.items():
                if form in text:
                    self.hits.append("%s in %s: ...%s..." % (name, where, text[max(0, text.find(form) - 60):][:160]))
        self.figures.add(figure, len(texts))

    def capture(self, capture):
        self._check("a log record", capture.log_texts(), "secret scan: log record texts checked")
        self.figures.add("secret scan: log records checked", len(capture.records))
        self._check("a warning", capture.warning_texts(), "secret scan: warnings checked")

    def exceptions(self, errors):
        for error in errors:
            self._check("%s" % type(error).__name__, exception_texts(error), "secret scan: exception texts checked")
        self.figures.add("secret scan: exceptions checked", len(errors))

    def objects(self, *objects):
        texts = []
        for obj in objects:
            texts += [repr(obj), str(obj)]
        self._check("repr/str of an object", texts, "secret scan: repr/str texts checked")

    def client(self, api):
        """repr/str of the IntegrationApi and everything under it."""
        client = api.api_client
        configuration = client.configuration
        transport = (client.rest_client, client.rest_client.pool_manager) if hasattr(client, "rest_client") else (
            client.transport, client.transport._proxy, client.transport._proxy_headers,  # an AsyncApiClient
            *[part for url, headers in client.transport._environment_settings.values() for part in (url, headers)])
        self.objects(api, client, *transport, configuration, configuration.describe_auth(),
                     configuration.to_debug_report())

    def assert_clean(self):
        self.figures.add("secret scan: secret hits", len(self.hits))
        assert self.hits == [], "secrets found:\n" + "\n".join(self.hits)
