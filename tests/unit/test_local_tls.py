"""The embedded AWS's HTTPS certificate: made per run for the bucket's *.localhost host and the loopback addresses,
short-lived, never a CA, and its key never left on disk."""

from __future__ import annotations

import ipaddress
import ssl
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509

from vend_local.embedded_aws import virtual_hosts
from vend_local.local_tls import server_context

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def test_the_certificate_names_the_bucket_host_and_the_loopback_addresses_only() -> None:
    made = server_context(virtual_hosts("vend-local-uploads"), now=NOW)
    certificate = x509.load_pem_x509_certificate(made.pem)
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["vend-local-uploads.localhost", "localhost"]
    assert names.get_values_for_type(x509.IPAddress) == [
        ipaddress.ip_address("127.0.0.1"),
        ipaddress.ip_address("::1"),
    ]
    assert made.hosts == ("vend-local-uploads.localhost", "localhost")


def test_the_certificate_is_a_short_lived_leaf_for_servers() -> None:
    certificate = x509.load_pem_x509_certificate(server_context(["localhost"], now=NOW).pem)
    # Valid from an hour back (a clock a little behind) for a week.
    assert certificate.not_valid_before_utc == NOW - timedelta(hours=1)
    assert certificate.not_valid_after_utc == NOW + timedelta(days=7)
    assert certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    usage = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usage) == [x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]


def test_each_run_makes_a_new_key() -> None:
    first = x509.load_pem_x509_certificate(server_context(["localhost"]).pem)
    second = x509.load_pem_x509_certificate(server_context(["localhost"]).pem)
    assert first.public_key() != second.public_key()


def test_the_context_serves_tls_1_2_or_later_and_leaves_no_key_file_behind() -> None:
    before = set(Path(tempfile.gettempdir()).glob("vend-tls-*"))
    made = server_context(["localhost"])
    assert made.context.minimum_version == ssl.TLSVersion.TLSv1_2
    assert set(Path(tempfile.gettempdir()).glob("vend-tls-*")) == before
    assert b"PRIVATE KEY" not in made.pem
