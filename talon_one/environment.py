"""What the transports take from the environment, as curl, requests and httpx do.

Proxies: HTTPS_PROXY / HTTP_PROXY / ALL_PROXY (either case, the lower-case one first), chosen
by the request URL's scheme, bypassed for hosts NO_PROXY (or Configuration.no_proxy) matches.
The standard library reads and matches them (urllib.request.getproxies_environment and
proxy_bypass_environment: domains and their subdomains, host:port, '*'); it has no CIDR
ranges, so entries such as '10.0.0.0/8' are matched here, with the ipaddress module.

CA bundle: REQUESTS_CA_BUNDLE, then CURL_CA_BUNDLE, then SSL_CERT_FILE; SSL_CERT_DIR for a
directory. Used only when Configuration.ssl_ca_cert (or ssl_ca_cert_dir) is not set.

Nothing is read when Configuration.trust_env is False. The environment is read once, when a
client is created (as httpx does), not on every call.
"""

import ipaddress
import os
import urllib.parse
import urllib.request
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

__all__ = ["environment_proxies", "proxy_for_url", "ProxiesByOrigin", "bypasses_proxy",
           "ca_bundle_from_environment", "ENVIRONMENT_VARIABLES"]

#: Every environment variable talon_one reads, and what for (the README's table is checked against it).
ENVIRONMENT_VARIABLES = {
    "TALON_ONE_BASE_URL": "Configuration.from_env(): host (TALONONE_ENDPOINT also accepted)",
    "TALONONE_ENDPOINT": "Configuration.from_env(): host, when TALON_ONE_BASE_URL is not set",
    "TALON_ONE_API_KEY": "Configuration.from_env(): api_key_v1",
    "TALON_ONE_APPLICATION_ID": "Configuration.from_env(): application_id (TALONONE_APP_ID also accepted)",
    "TALONONE_APP_ID": "Configuration.from_env(): application_id, when TALON_ONE_APPLICATION_ID is not set",
    "TALON_ONE_APPLICATION_KEY": "Configuration.from_env(): application_key (TALONONE_APP_KEY also accepted)",
    "TALONONE_APP_KEY": "Configuration.from_env(): application_key, when TALON_ONE_APPLICATION_KEY is not set",
    "HTTPS_PROXY": "proxy for https:// URLs (also https_proxy)",
    "HTTP_PROXY": "proxy for http:// URLs (also http_proxy)",
    "ALL_PROXY": "proxy for any URL the two above do not cover (also all_proxy)",
    "NO_PROXY": "hosts reached without a proxy (also no_proxy)",
    "REQUESTS_CA_BUNDLE": "CA bundle (PEM file) when ssl_ca_cert is not set",
    "CURL_CA_BUNDLE": "CA bundle when ssl_ca_cert and REQUESTS_CA_BUNDLE are not set",
    "SSL_CERT_FILE": "CA bundle when none of the above is set",
    "SSL_CERT_DIR": "CA directory (hashed PEM files) when ssl_ca_cert_dir is not set",
}


def environment_proxies(configuration: Any, environ: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    """scheme ('http', 'https', 'all', 'no') -> value, from the environment and Configuration.no_proxy.

    Empty when Configuration.proxy is set (it wins) or trust_env is False, apart from
    Configuration.no_proxy, which applies to environment proxies only.
    """
    if configuration.proxy or not configuration.trust_env:
        return {}
    if environ is None:
        proxies = urllib.request.getproxies_environment()
    else:
        proxies = _proxies_from(environ)
    proxies = {scheme: value for scheme, value in proxies.items() if value}
    if configuration.no_proxy is not None:
        proxies["no"] = _no_proxy_text(configuration.no_proxy)
    if not any(scheme != "no" for scheme in proxies):
        return {}
    for scheme in ("http", "https", "all"):
        # ALL_PROXY is checked only when it can be used: it may name a SOCKS proxy meant for other tools.
        if scheme in proxies and (scheme != "all" or not ("http" in proxies and "https" in proxies)):
            _check_environment_proxy("%s_PROXY" % scheme.upper(), proxies[scheme])
    return proxies


def _check_environment_proxy(variable: str, value: str) -> None:
    """ApiValueError naming the environment variable when `value` is no http(s) proxy URL
    (checked when the client is built, before anything is sent; the value is shown redacted)."""
    url = value if "://" in value else "http://" + value  # 'proxy:3128', as proxy_for_url reads it
    scheme, _, rest = url.partition("://")
    host_part = rest.rsplit("@", 1)[-1]
    try:
        parts = urllib.parse.urlsplit("%s://%s" % (scheme, host_part))
        port = parts.port
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and port != 0
    except ValueError:  # a bad port or IPv6 literal
        valid = False
    if not valid or any(char in value for char in "\r\n\x00"):
        from talon_one.configuration import redact_url
        from talon_one.exceptions import ApiValueError
        raise ApiValueError("%s (from the environment) must be an http(s) proxy URL such as "
                            "'http://proxy.example:3128', got %r; fix or unset it, or set "
                            "Configuration.trust_env = False" % (variable, redact_url(value)))


def _proxies_from(environ: Mapping[str, str]) -> Dict[str, str]:
    """getproxies_environment() for a mapping other than os.environ (lower case wins)."""
    proxies: Dict[str, str] = {}
    for name, value in environ.items():
        if value and name.lower().endswith("_proxy"):
            proxies.setdefault(name[:-6].lower(), value)
    for name, value in environ.items():
        if name.islower() and value and name.endswith("_proxy"):
            proxies[name[:-6]] = value
    return proxies


def _no_proxy_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple, set, frozenset)) and all(isinstance(item, str) for item in value):
        return ",".join(value)
    from talon_one.exceptions import ApiTypeError
    raise ApiTypeError("no_proxy must be a string ('localhost,.internal,10.0.0.0/8') or a list of "
                       "host names, got %s" % type(value).__name__)


def proxy_for_url(url: str, proxies: Mapping[str, str]) -> Optional[str]:
    """The proxy URL to use for `url` given `environment_proxies()`, or None to go direct."""
    if not proxies:
        return None
    parts = urllib.parse.urlsplit(url)
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy:
        return None
    host = parts.hostname or ""
    if parts.port is not None:
        host_port = "%s:%d" % (host, parts.port)
    else:
        host_port = host
    if bypasses_proxy(host_port, proxies.get("no", "")):
        return None
    if "://" not in proxy:  # 'proxy:3128', as curl and requests accept it
        proxy = "http://" + proxy
    return proxy


class ProxiesByOrigin:
    """`proxy_for_url` with the answer kept per origin (scheme, host and port: the same for
    every URL of a host), for the first `limit` origins a client sends to."""

    def __init__(self, proxies: Mapping[str, str], limit: int = 64) -> None:
        self.proxies = proxies
        self.limit = limit
        self._answers: Dict[str, Optional[str]] = {}

    def for_url(self, url: str) -> Optional[str]:
        """The proxy URL for `url`, or None to go direct."""
        start = url.find("/", url.find("://") + 3)
        origin = url if start < 0 else url[:start]
        try:
            return self._answers[origin]
        except KeyError:
            pass
        proxy = proxy_for_url(url, self.proxies)
        if len(self._answers) < self.limit:
            self._answers[origin] = proxy
        return proxy


def bypasses_proxy(host: str, no_proxy: str) -> bool:
    """Whether NO_PROXY-style `no_proxy` matches `host` ('name' or 'name:port').

    The standard library decides for names, host:port and '*'; IP addresses are also
    matched against CIDR ranges ('10.0.0.0/8', 'fd00::/8'), which it does not know.
    """
    if not no_proxy:
        return False
    if _proxy_bypass_environment(host, {"no": no_proxy}):
        return True
    address = _ip_address(host)
    if address is None:
        return False
    for entry in no_proxy.split(","):
        entry = entry.strip()
        if "/" not in entry:
            continue
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            continue
        if address.version == network.version and address in network:
            return True
    return False


# Documented in urllib.request's source, not in its stubs.
_proxy_bypass_environment: Callable[[str, Dict[str, str]], bool] = getattr(urllib.request, "proxy_bypass_environment")


def _ip_address(host: str) -> Optional[Any]:
    if host.startswith("["):  # [::1]:8080
        host = host[1:].partition("]")[0]
    elif host.count(":") == 1:
        host = host.partition(":")[0]
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def ca_bundle_from_environment(configuration: Any,
                               environ: Optional[Mapping[str, str]] = None) -> Tuple[Optional[str], Optional[str]]:
    """(CA file, CA directory) to verify with: the Configuration's, else the environment's.

    The environment is read only when trust_env is on and neither ssl_ca_cert nor
    ssl_ca_cert_dir is set. Empty variables count as unset; a directory named by one of the
    bundle variables is used as the CA directory (as requests does).
    """
    ca_file, ca_dir = configuration.ssl_ca_cert, configuration.ssl_ca_cert_dir
    if ca_file or ca_dir or not configuration.trust_env:
        return ca_file or None, ca_dir or None
    environ = os.environ if environ is None else environ
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        value = environ.get(name, "").strip()
        if value:
            ca_file = value
            break
    ca_dir = environ.get("SSL_CERT_DIR", "").strip() or None
    if ca_file and os.path.isdir(ca_file):  # a directory in REQUESTS_CA_BUNDLE, as requests takes it
        ca_file, ca_dir = None, ca_file
    return ca_file or None, ca_dir
