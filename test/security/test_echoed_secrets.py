"""A server that echoes a credential back (in its error body, reason phrase, headers, status line,
JSON-escaped or percent-encoded) does not get it into str(exc), repr, tracebacks, pickles,
logging.exception or the debug log. And rotating the signing credentials while threads call
never produces a signature from a mismatched pair.
"""

import hashlib
import hmac
import json
import logging
import re
import secrets
import threading
import urllib.parse

import pytest

import talon_one
from talon_one.exceptions import ApiException
from talon_one.retries import RetryPolicy

from scripted_server import ScriptedServer, response_bytes
from security_support import SECRETS, new_event

pytestmark = pytest.mark.timeout(60)


def echoes(secret):
    """name -> handler answering with `secret` echoed in one way."""
    escaped = "".join("\\u%04x" % ord(char) for char in secret)
    return {
        "json message": lambda: response_bytes(401, json.dumps({"message": "Invalid API key: %s" % secret,
                                                                "errors": []})),
        "json errors, unicode-escaped": lambda: response_bytes(
            400, ('{"message": "bad", "errors": [{"title": "key", "details": "got \\"%s\\""}]}' % escaped)),
        "plain text body": lambda: response_bytes(403, "forbidden for key=%s" % secret, content_type="text/plain"),
        "percent-encoded in HTML": lambda: response_bytes(
            502, "<a href='/login?key=%s'>retry</a>" % urllib.parse.quote(secret, safe=""),
            content_type="text/html"),
        "reason phrase": lambda: response_bytes(401, b"{}", reason="Bad key %s" % secret),
        "response header": lambda: response_bytes(404, b'{"message": "no"}', headers=[("X-Debug-Key", secret)]),
        "status line": lambda: ("HTTP/1.1 4O1 %s\r\nContent-Length: 0\r\n\r\n" % secret).encode(),
        "upper case": lambda: response_bytes(401, json.dumps({"message": "key %s" % secret.upper()})),
        "200 that is not JSON": lambda: response_bytes(200, "<html>%s</html>" % secret, content_type="text/html"),
    }


CREDENTIALS = {
    "api key": (lambda: SECRETS.api_key, {"api_key_v1": SECRETS.api_key}),
    "application key": (lambda: SECRETS.application_key, {"application_id": SECRETS.application_id,
                                                          "application_key": SECRETS.application_key}),
}


@pytest.mark.parametrize("credential", sorted(CREDENTIALS))
@pytest.mark.parametrize("echo", sorted(echoes("x")))
def test_an_echoed_credential_never_reaches_exception_texts_or_logs(credential, echo, capture, scan, figures):
    secret, settings = CREDENTIALS[credential][0](), CREDENTIALS[credential][1]
    answer = echoes(secret)[echo]

    def handler(connection, request):
        connection.sendall(answer())
        return True

    with ScriptedServer(handler) as server:
        configuration = talon_one.Configuration(host=server.url, retries=RetryPolicy(max_retries=0), debug=True,
                                                **settings)
        with talon_one.ApiClient(configuration) as client:
            with pytest.raises(talon_one.OpenApiException) as raised:
                talon_one.IntegrationApi(client).track_event(new_event())
            logging.getLogger("app").exception("the call failed")
            last_response = repr(client.last_response)
    error = raised.value
    assert isinstance(error, ApiException)
    texts = [str(error), repr(error), repr(error.__dict__), str(error.body), repr(error.headers), last_response]
    assert not any(secret in text or secret.upper() in text for text in texts), texts
    scan.exceptions([error])
    scan.capture(capture)
    scan.assert_clean()
    if echo not in ("status line", "200 that is not JSON"):
        assert "<redacted>" in str(error) + repr(error.headers) + str(error.body)
    figures.add("echoed secrets: answers echoing a credential, redacted everywhere")


def test_an_error_without_secrets_is_left_as_it_is():
    def handler(connection, request):
        connection.sendall(response_bytes(400, json.dumps({"message": "profileId is required", "errors": []})))
        return True

    with ScriptedServer(handler) as server:
        configuration = talon_one.Configuration(host=server.url, api_key_v1=SECRETS.api_key,
                                                retries=RetryPolicy(max_retries=0))
        with talon_one.ApiClient(configuration) as client, pytest.raises(talon_one.BadRequestException) as raised:
            talon_one.IntegrationApi(client).track_event(new_event())
    assert raised.value.message == "profileId is required" and "<redacted>" not in str(raised.value)


# -- rotating the signing credentials -----------------------------------------------------------------

SIGNATURE = re.compile(r"signer=(\d+); signature=([0-9a-f]+)")


def test_rotating_signing_credentials_while_threads_call_never_mixes_a_pair(figures):
    pairs = [(100 + n, secrets.token_hex(16)) for n in range(4)]
    valid = {(application_id, key) for application_id, key in pairs}
    checked, mismatched = [0], []
    lock = threading.Lock()

    def verify(connection, request):
        signer, signature = SIGNATURE.fullmatch(request.headers["content-signature"]).groups()
        ok = any(int(signer) == application_id and hmac.compare_digest(
            hmac.new(bytes.fromhex(key), request.body, hashlib.md5).hexdigest(), signature)
            for application_id, key in valid)
        with lock:
            checked[0] += 1
            if not ok:
                mismatched.append(signer)
        connection.sendall(response_bytes(body=b'{"effects": [], "createdCoupons": [], "createdReferrals": []}'))
        return True

    with ScriptedServer(verify) as server:
        configuration = talon_one.Configuration(host=server.url, application_id=pairs[0][0],
                                                application_key=pairs[0][1], retries=RetryPolicy(max_retries=0))
        stop = threading.Event()
        with talon_one.ApiClient(configuration) as client:
            api = talon_one.IntegrationApi(client)

            def rotate():
                n = 0
                while not stop.is_set():
                    n += 1
                    configuration.set_signing_credentials(*pairs[n % len(pairs)])

            def call(thread):
                for n in range(60):
                    api.track_event(new_event(session="s-%d-%d" % (thread, n)))

            rotator = threading.Thread(target=rotate)
            callers = [threading.Thread(target=call, args=(t,)) for t in range(8)]
            rotator.start()
            for thread in callers:
                thread.start()
            for thread in callers:
                thread.join(40)
            stop.set()
            rotator.join(5)
            assert not any(thread.is_alive() for thread in callers)
    figures.set("signing rotation: signatures checked while rotating", checked[0])
    figures.set("signing rotation: signatures matching no configured pair", len(mismatched))
    assert checked[0] == 8 * 60 and mismatched == []


def test_a_reason_phrase_echoing_the_key_is_redacted_in_the_retry_log(capture, scan):
    def handler(connection, request):
        if len(server.requests) == 1:
            connection.sendall(response_bytes(503, b"{}", reason="Unavailable for %s" % SECRETS.api_key,
                                              headers=[("Retry-After", "0")]))
        else:
            connection.sendall(response_bytes(200, b'{"effects": [], "createdCoupons": [], "createdReferrals": []}'))
        return True

    with ScriptedServer(handler) as server:
        configuration = talon_one.Configuration(host=server.url, api_key_v1=SECRETS.api_key,
                                                retries=RetryPolicy(max_retries=1, sleep=lambda seconds: None))
        with talon_one.ApiClient(configuration) as client:
            talon_one.IntegrationApi(client).track_event(new_event())
    (retry_line,) = capture.messages("talon_one", logging.INFO)
    assert "503 Unavailable for <redacted>" in retry_line
    scan.capture(capture)
    scan.assert_clean()
