"""Build aiogram's pydantic models on first use instead of at `import aiogram`.

Why: aiogram declares every Telegram type `defer_build=True`, yet `aiogram/types/__init__.py` ends with
a loop that calls `model_rebuild(_types_namespace=...)` on all of them, so the import builds the
validators and serializers of ~400 types, most of which this bot never sees: most of the start-up
time and memory of a process, and a large heap for every later garbage collection to walk
(bench/README.md, startup_vs_aiogram and rss_vs_aiogram).
The methods (`TelegramMethod` subclasses) are not deferred at all. Upstream issue:
https://github.com/aiogram/aiogram/issues/1891

What `install()` changes, before aiogram is imported (`bot/__init__.py` calls it, so every entry point
that imports the bot first, `bastau`, the tests and the benchmarks, gets it):
- while `aiogram/types/__init__.py` runs, its `model_rebuild(_types_namespace=ns)` calls only record
  `ns` as each type's parent namespace, which is where pydantic's own deferred build looks for
  forward references when the type is first validated; the call is pydantic's again afterwards;
- `TelegramMethod.model_config["defer_build"] = True` as soon as `aiogram.methods.base` has run, so
  each method class is built when it is first instantiated.
Nothing else changes for code that uses aiogram: a model is built, by pydantic, the first time it is
used, with the same namespace the eager loop would have given it (tests/perf/test_lazy_models.py
builds and validates every type and method against the eager build). The pins of aiogram and pydantic
in pyproject.toml are the versions that test proved; the hook touches pydantic's private
`_types_namespace` argument and `__pydantic_parent_namespace__`, so an upgrade must pass that test.
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import warnings
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from pydantic import BaseModel

_TYPES = "aiogram.types"
_METHODS = "aiogram.methods"
_METHODS_BASE = "aiogram.methods.base"
_HOOKED = (_TYPES, _METHODS, _METHODS_BASE)
_NAMESPACE: dict[str, Any] = {}  # the names aiogram.types resolves its forward references with


def _recording_rebuild(cls: type[BaseModel], *, force: bool = False, raise_errors: bool = True,
                       _parent_namespace_depth: int = 2, _types_namespace: Any = None) -> bool | None:
    """Stands in for BaseModel.model_rebuild while aiogram.types is imported."""
    if _types_namespace is None or force or cls.__pydantic_complete__:
        return _PYDANTIC_REBUILD(cls, force=force, raise_errors=raise_errors,
                                 _parent_namespace_depth=_parent_namespace_depth + 1,
                                 _types_namespace=_types_namespace)
    _NAMESPACE.update(_types_namespace)
    cls.__pydantic_parent_namespace__ = _NAMESPACE
    return None


_PYDANTIC_MODEL_REBUILD = BaseModel.__dict__["model_rebuild"]  # the classmethod itself, put back after
_PYDANTIC_REBUILD = _PYDANTIC_MODEL_REBUILD.__func__


class _Loader(importlib.abc.Loader):
    """The real loader of one aiogram module, with something done around its execution."""

    def __init__(self, name: str, loader: importlib.abc.Loader) -> None:
        self.name = name
        self.loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        if self.name == _TYPES:
            BaseModel.model_rebuild = classmethod(_recording_rebuild)  # type: ignore[assignment, method-assign]
            try:
                self.loader.exec_module(module)
            finally:
                BaseModel.model_rebuild = _PYDANTIC_MODEL_REBUILD  # type: ignore[method-assign]
            return
        self.loader.exec_module(module)
        if self.name == _METHODS_BASE:
            # Request methods are built when first made; Response[...] (made per result type, built at
            # once) and each method resolve the names of the types they contain as aiogram.types does.
            module.TelegramMethod.model_config["defer_build"] = True
            module.TelegramMethod.__pydantic_parent_namespace__ = _NAMESPACE
            module.Response.__pydantic_parent_namespace__ = _NAMESPACE
        else:
            for name in module.__all__:
                method = getattr(module, name)
                if isinstance(method, type) and issubclass(method, BaseModel):
                    method.__pydantic_parent_namespace__ = _NAMESPACE


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in _HOOKED:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(fullname, spec.loader)
        return spec


_FINDER = _Finder()


def install() -> bool:
    """Make aiogram's models lazy (True), or warn that aiogram was imported first and is eager (False)."""
    if _FINDER in sys.meta_path:
        return True
    if _TYPES in sys.modules:
        warnings.warn("aiogram was imported before the bot: its models were built eagerly "
                      "(import bot first)", RuntimeWarning, stacklevel=2)
        return False
    sys.meta_path.insert(0, _FINDER)
    return True
