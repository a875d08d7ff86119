"""Endpoint URLs Hostplane refuses to post to, and those it accepts; no DNS is asked."""

from collections.abc import Iterable
from ipaddress import ip_address

import pytest

from hostplane.webhooks.domain.targets import TargetRefused, check_target

PUBLIC_V4 = "93.184.215.14"
PUBLIC_V6 = "2606:2800:21f:cb07:6820:80da:af6b:8b2c"


class FakeDns:
    """Answers from a table, and remembers what it was asked."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.asked: list[tuple[str, int]] = []

    def __call__(self, host: str, port: int) -> Iterable[str]:
        self.asked.append((host, port))
        if host not in self.answers:
            raise OSError(f"{host}: Name or service not known")
        return self.answers[host]


def no_dns(host: str, port: int) -> Iterable[str]:
    raise AssertionError(f"{host} should not have been resolved")


def test_a_public_https_url_is_accepted_with_the_addresses_it_reaches() -> None:
    dns = FakeDns({"hooks.example.com": [PUBLIC_V4, PUBLIC_V6]})

    reached = check_target("https://hooks.example.com/hostplane", False, dns)

    assert reached == (ip_address(PUBLIC_V4), ip_address(PUBLIC_V6))
    assert dns.asked == [("hooks.example.com", 443)]


def test_the_port_resolved_for_is_the_urls_or_the_schemes() -> None:
    dns = FakeDns({"hooks.example.com": [PUBLIC_V4]})

    check_target("http://hooks.example.com/", False, dns)
    check_target("https://hooks.example.com:8443/", False, dns)

    assert dns.asked == [("hooks.example.com", 80), ("hooks.example.com", 8443)]


@pytest.mark.parametrize("url", [f"http://{PUBLIC_V4}/in", f"https://[{PUBLIC_V6}]:8443/in"])
def test_a_public_address_literal_is_accepted_without_resolving(url: str) -> None:
    assert check_target(url, False, no_dns)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://hooks.example.com/",
        "file:///etc/passwd",
        "gopher://hooks.example.com/",
        "javascript:alert(1)",
        "hooks.example.com/path",
        "//hooks.example.com/",
    ],
)
def test_only_http_and_https_are_accepted(url: str) -> None:
    with pytest.raises(TargetRefused, match="http"):
        check_target(url, True, no_dns)


@pytest.mark.parametrize(
    "url",
    [
        "https://user:pass@hooks.example.com/",
        "https://user@hooks.example.com/",
        "https://:pass@hooks.example.com/",
    ],
)
def test_urls_with_credentials_are_refused(url: str) -> None:
    with pytest.raises(TargetRefused, match="credentials"):
        check_target(url, True, no_dns)


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://127.0.0.1/", "loopback"),
        ("http://127.255.0.9:8080/", "loopback"),
        ("http://[::1]/", "loopback"),
        ("http://10.1.2.3/", "private"),
        ("http://172.16.0.1/", "private"),
        ("http://172.31.255.255/", "private"),
        ("http://192.168.1.1/", "private"),
        ("http://[fd12:3456::1]/", "private"),
        ("http://[fc00::1]/", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[fe80::1]/", "link-local"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://[::]/", "unspecified"),
        ("http://224.0.0.1/", "multicast"),
        ("http://[ff02::1]/", "multicast"),
        ("http://240.0.0.1/", "reserved|private"),
        ("http://100.64.0.1/", "not a public"),
        ("http://255.255.255.255/", "private|reserved"),
    ],
)
def test_internal_address_literals_are_refused(url: str, kind: str) -> None:
    with pytest.raises(TargetRefused, match=kind):
        check_target(url, False, no_dns)


@pytest.mark.parametrize(
    ("url", "carried"),
    [
        ("http://[::ffff:127.0.0.1]/", "127.0.0.1"),
        ("http://[::ffff:7f00:1]/", "127.0.0.1"),
        ("http://[::ffff:169.254.169.254]/", "169.254.169.254"),
        ("http://[2002:a00:1::]/", "10.0.0.1"),
        ("http://[64:ff9b::a9fe:a9fe]/", "169.254.169.254"),
    ],
)
def test_ipv6_addresses_carrying_an_internal_ipv4_one_are_refused(url: str, carried: str) -> None:
    with pytest.raises(TargetRefused, match=carried):
        check_target(url, False, no_dns)


@pytest.mark.parametrize(
    "host",
    [
        "2130706433",
        "0x7f000001",
        "0177.0.0.1",
        "0x7f.0.0.1",
        "127.1",
        "127.0.1",
        "017700000001",
        "1.2.3.4.",
        "08.8.8.8",
    ],
)
def test_ipv4_addresses_in_other_forms_than_four_decimals_are_refused(host: str) -> None:
    with pytest.raises(TargetRefused, match="four decimal numbers"):
        check_target(f"http://{host}/", True, no_dns)


@pytest.mark.parametrize(
    ("answers", "kind"),
    [
        (["127.0.0.1"], "loopback"),
        (["10.0.0.5"], "private"),
        (["169.254.169.254"], "link-local"),
        (["::ffff:127.0.0.1"], "loopback"),
        ([PUBLIC_V4, "192.168.0.10"], "private"),
        ([PUBLIC_V6, "fe80::1%eth0"], "link-local"),
    ],
)
def test_a_name_resolving_to_any_internal_address_is_refused(answers: list[str], kind: str) -> None:
    dns = FakeDns({"rebind.example.net": answers})

    with pytest.raises(TargetRefused, match=kind):
        check_target("https://rebind.example.net/hook", False, dns)


def test_localhost_is_refused_by_what_it_resolves_to() -> None:
    dns = FakeDns({"localhost": ["127.0.0.1", "::1"]})

    with pytest.raises(TargetRefused, match="loopback"):
        check_target("http://localhost:8080/", False, dns)


def test_a_name_that_does_not_resolve_is_refused() -> None:
    with pytest.raises(TargetRefused, match="does not resolve"):
        check_target("https://nowhere.example.org/", False, FakeDns({}))


def test_a_name_resolving_to_nothing_is_refused() -> None:
    with pytest.raises(TargetRefused, match="no address"):
        check_target("https://empty.example.org/", False, FakeDns({"empty.example.org": []}))


def test_allow_private_accepts_internal_addresses_for_development() -> None:
    dns = FakeDns({"localhost": ["127.0.0.1"]})

    assert check_target("http://localhost:9000/hook", True, dns) == (ip_address("127.0.0.1"),)
    assert check_target("http://10.0.0.2/hook", True, no_dns) == (ip_address("10.0.0.2"),)
    assert check_target("http://[::ffff:127.0.0.1]/", True, no_dns)


@pytest.mark.parametrize(
    "url", ["http:///path", "http://[::1/", "http://hooks.example.com:99999/", "https://:443/"]
)
def test_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(TargetRefused):
        check_target(url, True, FakeDns({"hooks.example.com": [PUBLIC_V4]}))


def test_a_refusal_is_a_value_error_with_a_readable_message() -> None:
    with pytest.raises(ValueError, match=r"^127\.0\.0\.1: a loopback address$"):
        check_target("http://127.0.0.1/", False, no_dns)


def test_a_refusal_of_a_name_says_what_it_resolved_to() -> None:
    dns = FakeDns({"rebind.example.net": ["::ffff:10.0.0.5"]})

    with pytest.raises(
        TargetRefused,
        match=r"^'rebind\.example\.net' resolves to ::ffff:a00:5, which carries 10\.0\.0\.5: a private address$",
    ):
        check_target("https://rebind.example.net/", False, dns)
