"""AWS bounds this service enforces itself (moto and botocore do not). Pure constants, no I/O.

Each value cites the STS AssumeRole API reference; tests pin every one at limit-1, limit and limit+1.
"""

from typing import Final

# DurationSeconds: STS accepts 900-43200, but a Lambda assuming a role from its own role
# credentials is role chaining, which AWS caps at one hour.
DURATION_MIN: Final = 900
DURATION_MAX_STS: Final = 43_200
DURATION_MAX_CHAINED: Final = 3_600

# Policy: 1-2048 plaintext characters, counted together with the managed PolicyArns.
POLICY_PLAINTEXT_MAX: Final = 2_048
MANAGED_POLICY_ARNS_MAX: Final = 10

# RoleSessionName and SourceIdentity: 2-64 characters of [\w+=,.@-].
SESSION_NAME_MIN: Final = 2
SESSION_NAME_MAX: Final = 64
SOURCE_IDENTITY_MIN: Final = 2
SOURCE_IDENTITY_MAX: Final = 64

# Session tags: at most 50; key 1-128 characters, value 0-256 characters.
SESSION_TAGS_MAX: Final = 50
TAG_KEY_MAX: Final = 128
TAG_VALUE_MAX: Final = 256
