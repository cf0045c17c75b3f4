"""Suite-wide fixtures and guards. Infra tests run in their own environment (see infra/infra.mk)."""

from __future__ import annotations

collect_ignore_glob = ["infra/*"]
