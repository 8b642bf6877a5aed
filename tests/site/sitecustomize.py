"""Run at the start of every Python process the tests start (tests/conftest.py puts this folder
on PYTHONPATH, and runs it for the test process itself): as each of the app's registries is
imported, the test fakes (tests/fakes.py) are added to it. A process that never imports them
(`colorizer --help`) is left alone, torch unloaded."""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from pathlib import Path

_FAKES = Path(__file__).resolve().parents[1] / "fakes.py"
# registry module -> the function of tests/fakes.py that adds to it, once it is loaded
_AFTER = {
    "colorizer_app.model.backbones": "register_backbones",
    "colorizer_app.model.presets": "register_presets",
}


def _fakes():
    if "colorizer_test_fakes" not in sys.modules:
        spec = importlib.util.spec_from_file_location("colorizer_test_fakes", _FAKES)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["colorizer_test_fakes"] = module
        spec.loader.exec_module(module)
    return sys.modules["colorizer_test_fakes"]


class _RegisterFakesAfterImport(importlib.abc.MetaPathFinder):
    def __init__(self) -> None:
        self._busy: set[str] = set()

    def find_spec(self, name, path=None, target=None):
        if name not in _AFTER or name in self._busy:
            return None
        self._busy.add(name)  # the usual finders find it; this only follows its loading
        try:
            spec = importlib.util.find_spec(name)
        finally:
            self._busy.discard(name)
        if spec is None or spec.loader is None:
            return spec
        load = spec.loader.exec_module

        def exec_module(module):
            load(module)
            getattr(_fakes(), _AFTER[name])()

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


if not any(isinstance(f, _RegisterFakesAfterImport) for f in sys.meta_path):
    sys.meta_path.insert(0, _RegisterFakesAfterImport())
    for _name, _register in _AFTER.items():  # already imported (conftest ran late): add now
        if _name in sys.modules:
            getattr(_fakes(), _register)()
