"""xinyong: an accountable credit registry.

The package is laid out by the architecture in ``docs/architecture.md``: ``codes`` (identifiers and
names), ``store`` (schema, the one apply path, versioned reads), ``ingest``, ``search``, ``synth``,
``web`` and the ``cli``.
"""

__version__ = "0.1.0"
