"""The public API: an explicit, sorted, complete __all__."""

import deepcareer


def test_all_is_sorted_and_complete() -> None:
    assert deepcareer.__all__ == sorted(deepcareer.__all__)
    for name in deepcareer.__all__:
        assert hasattr(deepcareer, name), name


def test_importing_the_package_stays_light() -> None:
    import subprocess
    import sys

    code = "import sys, deepcareer; print('numpy' in sys.modules, 'sqlalchemy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    assert out.split() == ["False", "False"]
