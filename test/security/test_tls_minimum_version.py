"""The client never offers TLS 1.0 or 1.1, whatever the system's OpenSSL policy allows.

A server on 127.0.0.1 reads each ClientHello and records the protocol versions it offers
(the supported_versions extension, RFC 8446 section 4.2.1). The client runs in a child
process whose OpenSSL configuration (OPENSSL_CONF) allows TLS 1.0 at security level 0,
next to a plain ssl context as the control that shows the policy really allows it.
"""

import os
import socket
import struct
import subprocess
import sys
import textwrap
import threading

import pytest

TLS_VERSIONS = {0x0301: "TLSv1.0", 0x0302: "TLSv1.1", 0x0303: "TLSv1.2", 0x0304: "TLSv1.3"}

PERMISSIVE_OPENSSL_CONF = textwrap.dedent("""
    openssl_conf = default_conf
    [default_conf]
    ssl_conf = ssl_sect
    [ssl_sect]
    system_default = system_default_sect
    [system_default_sect]
    MinProtocol = TLSv1
    CipherString = DEFAULT@SECLEVEL=0
""")

CLIENT_SCRIPT = textwrap.dedent("""
    import socket, ssl, sys
    import talon_one
    port = int(sys.argv[1])
    control = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    control.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    control.check_hostname, control.verify_mode = False, ssl.CERT_NONE
    try:
        control.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5)).close()
    except (OSError, ssl.SSLError):
        pass
    configuration = talon_one.Configuration(host="https://127.0.0.1:%d" % port, api_key_v1="k",
                                            connect_timeout=5, read_timeout=5, retries=0)
    with talon_one.ApiClient(configuration) as client:
        try:
            talon_one.IntegrationApi(client).get_reserved_coupons("c1")
        except talon_one.ApiConnectionError:
            pass
""")


def offered_versions(hello):
    """The TLS versions a ClientHello (one TLS record) offers."""
    record_type, _, length = struct.unpack("!BHH", hello[:5])
    assert record_type == 22, "not a TLS handshake record"
    body = hello[5:5 + length]
    assert body[0] == 1, "not a ClientHello"
    position = 4 + 2 + 32  # handshake header, legacy_version, random
    legacy_version = struct.unpack("!H", body[4:6])[0]
    position += 1 + body[position]  # session id
    position += 2 + struct.unpack("!H", body[position:position + 2])[0]  # cipher suites
    position += 1 + body[position]  # compression methods
    end = position + 2 + struct.unpack("!H", body[position:position + 2])[0]
    position += 2
    while position < end:
        kind, size = struct.unpack("!HH", body[position:position + 4])
        data = body[position + 4:position + 4 + size]
        if kind == 0x002B:  # supported_versions
            return {TLS_VERSIONS.get(version, hex(version)) for (version,) in struct.iter_unpack("!H", data[1:])}
        position += 4 + size
    return {TLS_VERSIONS.get(legacy_version, hex(legacy_version))}


class HelloRecorder:
    """Accepts connections, keeps each ClientHello, and hangs up."""

    def __init__(self):
        self.hellos = []
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stopping.is_set():
            try:
                connection, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with connection:
                connection.settimeout(5)
                data = b""
                try:
                    while len(data) < 5 or len(data) < 5 + struct.unpack("!H", data[3:5])[0]:
                        chunk = connection.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                except OSError:
                    continue
                if len(data) >= 5:
                    self.hellos.append(data)

    def close(self):
        self.stopping.set()
        self.thread.join(5)
        self.listener.close()


def test_the_client_offers_tls_1_2_at_least_even_when_the_system_policy_allows_less(tmp_path, figures):
    conf = tmp_path / "openssl.cnf"
    conf.write_text(PERMISSIVE_OPENSSL_CONF, encoding="utf-8")
    script = tmp_path / "client.py"
    script.write_text(CLIENT_SCRIPT, encoding="utf-8")
    recorder = HelloRecorder()
    try:
        process = subprocess.run([sys.executable, str(script), str(recorder.port)], capture_output=True, timeout=60,
                                 env=dict(os.environ, OPENSSL_CONF=str(conf)))
    finally:
        recorder.close()
    assert process.returncode == 0, process.stderr.decode()
    control, *ours = [offered_versions(hello) for hello in recorder.hellos]
    assert ours, "the client never connected"
    for offered in ours:
        assert offered and offered <= {"TLSv1.2", "TLSv1.3"}, offered
    figures.set("TLS minimum: versions the client offered under a policy allowing %s" % min(control),
                ", ".join(sorted(set().union(*ours))))


@pytest.mark.parametrize("hello, expected", [
    (bytes.fromhex("16030100" "2f" "01000029" "0303" + "00" * 32 + "00" "0002" "002f" "0100" + "0000"), {"TLSv1.2"}),
])
def test_offered_versions_reads_a_hello_without_extensions(hello, expected):
    assert offered_versions(hello) == expected
