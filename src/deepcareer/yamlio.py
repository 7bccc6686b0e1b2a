"""Read YAML content files with libyaml's C parser when PyYAML was built with it.

The pure-Python parser takes about 90 ms for skills.yml, more than everything else
`deepcareer next` does; the C parser takes a tenth of that and gives the same data.
"""

from __future__ import annotations

from typing import Any

import yaml

YAMLError = yaml.YAMLError
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """Parse one YAML document with safe types only (no Python objects)."""
    return yaml.load(text, Loader=_Loader)
