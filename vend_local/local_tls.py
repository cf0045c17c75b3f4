"""A TLS server context for the embedded AWS's HTTPS listener, with a self-signed certificate made for this run.
Writes the private key to a private temporary file only long enough for ``ssl`` to load it (Python's ssl module
reads keys from files), then deletes it; no other I/O.

Why HTTPS at all: Amplify Storage, and the Storage Browser for S3 built on it, take an S3 ``customEndpoint`` as
a host name only and always call ``https://<bucket>.<customEndpoint>/<key>`` (virtual-hosted style, as S3 itself
answers). Browsers resolve every ``*.localhost`` name to the loopback address, so ``localhost:<port>`` as the
custom endpoint reaches this listener as ``<bucket>.localhost:<port>``. The certificate names those hosts; no
browser trusts it until told to, which docs/local-server.md explains.
"""

from __future__ import annotations

import ipaddress
import os
import ssl
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

# Long enough for any local session, short enough that a copied certificate soon stops mattering.
VALIDITY: Final = timedelta(days=7)
# Browsers refuse certificates dated in the future; allow for a clock a little behind.
BACKDATE: Final = timedelta(hours=1)
COMMON_NAME: Final = "vend local embedded AWS"


@dataclass(frozen=True)
class LocalCertificate:
    context: ssl.SSLContext
    # The certificate alone (public), for a person who wants their browser to trust it.
    pem: bytes
    hosts: tuple[str, ...]


def server_context(hosts: Iterable[str], *, now: datetime | None = None) -> LocalCertificate:
    """A server context for ``hosts`` (DNS names) and the loopback addresses, with a fresh P-256 key."""
    names = tuple(dict.fromkeys(hosts))
    key = ec.generate_private_key(ec.SECP256R1())
    moment = now or datetime.now(UTC)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, COMMON_NAME)])
    alternatives: list[x509.GeneralName] = [x509.DNSName(name) for name in names]
    alternatives += [x509.IPAddress(ipaddress.ip_address(a)) for a in ("127.0.0.1", "::1")]
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(moment - BACKDATE)
        .not_valid_after(moment + VALIDITY)
        .add_extension(x509.SubjectAlternativeName(alternatives), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    with tempfile.TemporaryDirectory(prefix="vend-tls-") as directory:
        # The directory is the user's own (0700); the files live only while ssl reads them.
        cert_path, key_path = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")  # noqa: PTH118
        for path, data in ((cert_path, pem), (key_path, key_pem)):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
        context.load_cert_chain(cert_path, key_path)
    return LocalCertificate(context=context, pem=pem, hosts=names)
