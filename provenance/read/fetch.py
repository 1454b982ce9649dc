"""Fetching a URL safely: a size limit on the decoded body, a deadline, and no private or loopback
addresses unless allowed.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from provenance.errors import FetchError

USER_AGENT = "provenance/0.1 (+news provenance tracker)"
MAX_REDIRECTS = 5
CONNECT_SECONDS = 10.0
READ_SECONDS = 10.0
"""Longest wait for the server to connect, and for each read of the socket."""
DEADLINE_SECONDS = 30.0
"""Longest a whole fetch may take, redirects and a slow trickle of bytes included."""
CHUNK = 64 * 1024
_REDIRECTS = frozenset((301, 302, 303, 307, 308))


@dataclass(frozen=True)
class Fetched:
    """A fetched page: its body (decoded from any Content-Encoding) and the URL it was finally read
    from.
    """

    body: bytes
    url: str


def fetch_url(
    url: str,
    max_bytes: int,
    allow_private: bool = False,
    deadline_seconds: float = DEADLINE_SECONDS,
) -> Fetched:
    """The body of a URL, following up to MAX_REDIRECTS redirects, each target checked; FetchError with the reason otherwise.

    Each request goes to an address resolved and checked beforehand (so a name cannot resolve
    to a private address between the check and the connection). The body is read as it comes,
    decoded, and refused once it passes `max_bytes` or the deadline.
    """
    deadline = time.monotonic() + deadline_seconds
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        pool, response = _request(current, allow_private, deadline)
        try:
            if response.status in _REDIRECTS and response.headers.get("Location"):
                current = urljoin(current, response.headers["Location"])
                continue
            if response.status >= 400:
                raise FetchError(f"could not fetch: HTTP {response.status}")
            return Fetched(_bounded_body(response, max_bytes, deadline), current)
        finally:
            response.close()  # one request a pool: the connection is not kept for another
            pool.close()
    raise FetchError(f"could not fetch: more than {MAX_REDIRECTS} redirects")


def _request(url: str, allow_private: bool, deadline: float) -> tuple[Any, Any]:
    """One GET, not following redirects, to a checked address of the URL's host: its connection pool
    and its response.
    """
    import urllib3

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"could not fetch: {url!r} is not an http(s) URL")
    address = checked_address(
        parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), allow_private
    )
    timeout = urllib3.Timeout(
        connect=min(CONNECT_SECONDS, _left(deadline)), read=min(READ_SECONDS, _left(deadline))
    )
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host_header = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    pool: Any
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            server_hostname=parts.hostname,
            assert_hostname=parts.hostname,
            timeout=timeout,
            retries=False,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    try:
        response = pool.urlopen(
            "GET",
            path,
            headers={
                "Host": host_header,
                "User-Agent": USER_AGENT,
                "Accept-Encoding": "gzip, deflate",
            },
            redirect=False,
            preload_content=False,
            decode_content=True,
        )
    except urllib3.exceptions.HTTPError as error:
        pool.close()
        raise FetchError(f"could not fetch: {network_reason(error)}") from error
    return pool, response


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError(
            f"could not fetch: the page did not arrive whole within {DEADLINE_SECONDS:.0f} s"
        )
    return left


def checked_address(host: str, port: int, allow_private: bool) -> str:
    """An address the host resolves to, refusing loopback, private, link-local and other non-public
    addresses unless allowed.
    """
    try:
        found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(f"could not fetch: the host {host} does not resolve ({error})") from error
    addresses = [str(info[4][0]) for info in found]
    if not allow_private:
        for address in addresses:
            if not ipaddress.ip_address(address.split("%")[0]).is_global:
                raise FetchError(
                    f"could not fetch: {host} is a private, loopback or reserved address ({address}); give --allow-private-urls to fetch it"
                )
    return addresses[0]


def _bounded_body(response: Any, max_bytes: int, deadline: float) -> bytes:
    """The decoded body, read a socket read at a time, refused past max_bytes or the deadline."""
    declared = response.headers.get("Content-Length")
    if (
        declared
        and declared.isdigit()
        and int(declared) > max_bytes
        and not response.headers.get("Content-Encoding")
    ):
        raise FetchError(
            f"could not fetch: the body is {int(declared):,} bytes, over the limit of {max_bytes:,} (raise it with --max-size)"
        )
    chunks, total = [], 0
    try:
        while chunk := response.read1(CHUNK):
            total += len(chunk)
            if total > max_bytes:
                raise FetchError(
                    f"could not fetch: the body is over the limit of {max_bytes:,} bytes once decoded (raise it with --max-size)"
                )
            chunks.append(chunk)
            _left(deadline)
    except (OSError, ValueError) as error:
        raise FetchError(f"could not fetch: {network_reason(error)}") from error
    except Exception as error:  # urllib3's ProtocolError, DecodeError and ReadTimeoutError
        if type(error).__module__.startswith("urllib3"):
            raise FetchError(f"could not fetch: {network_reason(error)}") from error
        raise
    return b"".join(chunks)


def network_reason(error: BaseException) -> str:
    """The innermost readable reason of a urllib3 error, without object addresses."""
    reason = getattr(error, "reason", None) or error
    text = str(reason)
    return text.split("): ", 1)[-1] if "): " in text else text.split(">: ", 1)[-1]
