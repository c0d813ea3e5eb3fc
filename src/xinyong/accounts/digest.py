"""How bearer secrets (user tokens, API keys, session ids) are kept: by their SHA-256.

They are 256 random bits, so a fast hash is enough (argon2 is for what people choose), and a copy
of the database or a backup is then not a bag of live credentials to take over.
"""

from __future__ import annotations

import hashlib


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
