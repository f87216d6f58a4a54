"""Web addresses in issue data: checked once, at load, with the standard library's URL parser.

A URL printed in the paper also becomes a PDF link, a QR code, an `href` on the subscriber
site and an Atom id (site._tag reads its host), so anything one of them would choke on is
refused here, in words an editor can act on.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

# Characters no URL holds as written: white space, quotes and angle brackets (they end a URL
# in running text and in markup), backslash (a browser reads it as "/", a PDF reader does
# not), and control characters.
_NOT_IN_URL = re.compile(r"[\s<>\"'\\\x00-\x1f\x7f-\x9f]")
_HOST_LABEL = re.compile(r"(?!-)[^\W_](?:[^\W_]|-){0,62}(?<!-)")
_NUMBER_LABEL = re.compile(r"[0-9]+|0[xX][0-9A-Fa-f]*")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")

NEEDS = "needs http:// or https:// and a host"


def _named(char: str) -> str:
    if char == " ":
        return "a space (write it as %20)"
    if char.isspace() or not char.isprintable():
        return f"the character U+{ord(char):04X}"
    return f"the character {char} (write it as %{ord(char):02X})"


def problem(url: str) -> str | None:
    """What is wrong with `url`, in words (None when it is a good http(s) URL)."""
    if not url:
        return f"is empty; it {NEEDS}"
    if found := _NOT_IN_URL.search(url):
        return f"has {_named(found.group())}, which a URL cannot hold"
    scheme = _SCHEME.match(url)
    if not scheme or scheme.group().lower() not in ("http:", "https:"):
        hint = ": write https:// before it" if not scheme and not url.startswith("/") else ""
        return f"{NEEDS}{hint}"
    if not url[scheme.end():].startswith("//"):
        return f"{NEEDS}: write {scheme.group()}// before the host"
    # The parser refuses unbalanced IPv6 brackets and bad ports, in words of its own.
    netloc = url[scheme.end() + 2:].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if "@" in netloc:
        return "has a user name or password before the host (…@); leave it out"
    if netloc.count("[") != netloc.count("]") or netloc.count("[") > 1:
        return "has a [ without its ] (an IPv6 host is written [2001:db8::1])"
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        port_text = netloc.rpartition("]")[2].partition(":")[2]
        if port_text:
            return "has a port that is not a number from 1 to 65535"
        return "has a host in [ ] that is not an IPv6 address"
    if not host:
        return NEEDS
    if netloc.endswith(":") or port == 0:
        return "has a port that is not a number from 1 to 65535"
    if netloc.startswith("["):
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return "has a host in [ ] that is not an IPv6 address"
        return None
    labels = host.removesuffix(".").split(".")
    if len(host) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        return "has a host that is not a name of letters, digits, hyphens and dots"
    if problem := _international(labels):
        return problem
    if all(label.isdigit() for label in labels) or _NUMBER_LABEL.fullmatch(labels[-1]):
        # A host whose last label is a number is an IPv4 address to a browser (the WHATWG URL
        # standard's "ends in a number"): https://news.123/ is no link anywhere.
        try:
            ipaddress.IPv4Address(host.removesuffix("."))
        except ValueError:
            if all(label.isdigit() for label in labels):
                return "has a host that is not an IPv4 address (four numbers from 0 to 255)"
            return (f"has a host that ends in a number (.{labels[-1][:10]}), which browsers "
                    "read as an IPv4 address; end it in a name (….example) or write four "
                    "numbers from 0 to 255")
    return None


def _international(labels: list[str]) -> str | None:
    """What a browser would refuse in the host's labels of other letters than a–z: checked
    by the idna library (IDNA 2008 with UTS #46 mapping, as browsers map a host), which
    knows the rules for right-to-left labels (RFC 5893) and the letters a domain may hold."""
    from . import messages

    for label in labels:
        if label.isascii():
            continue
        import idna  # only for international names

        try:
            idna.encode(label, uts46=True)
        except idna.IDNABidiError:
            return (f"has a host whose part {messages.excerpt(label)} mixes left-to-right and "
                    "right-to-left letters or starts with a right-to-left digit, which browsers "
                    "refuse; write each part between dots in one script, starting with a letter")
        except (idna.IDNAError, UnicodeError) as error:
            reason = str(error).rstrip(".")
            reason = reason[:1].lower() + reason[1:]
            return (f"has a host whose part {messages.excerpt(label)} is not a name browsers "
                    f"accept ({messages.excerpt(reason, 60)[1:-1]})")
    return None
