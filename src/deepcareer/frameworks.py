"""Environment settings for the deep-learning frameworks, shared by parent and sandbox.

TensorFlow prints start-up chatter to stderr that means nothing to a learner, and its
oneDNN kernels reorder floating-point sums, which makes a float64 reference differ from
NumPy in the last bits from run to run. Both are switched off before it is imported.
"""

from __future__ import annotations

import logging
import os

FRAMEWORK_ENV: dict[str, str] = {
    "TF_CPP_MIN_LOG_LEVEL": "2",  # errors only
    "TF_ENABLE_ONEDNN_OPTS": "0",  # deterministic float sums
    "KERAS_BACKEND": "tensorflow",
}


def quiet_frameworks() -> None:
    """Apply :data:`FRAMEWORK_ENV` to this process, keeping any value the user chose."""
    for key, value in FRAMEWORK_ENV.items():
        os.environ.setdefault(key, value)
    # Retracing advice and deprecation notes are for framework developers, not learners.
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
