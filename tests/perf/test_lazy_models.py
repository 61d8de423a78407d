"""bot/telegram/lazy_models.py: aiogram's models are built on first use, and built the same as eagerly.

These tests are what the aiogram and pydantic pins in pyproject.toml were proved with: an upgrade
that changes how either builds or resolves the models fails here.
"""
from __future__ import annotations

import contextlib
import inspect
import json
import subprocess
import sys

import pytest
from pydantic import BaseModel, ValidationError

from tests.support.paths import REPO

# Prints the JSON schema of every aiogram type and method (or the name of the error that makes one
# impossible, such as an arbitrary InputFile field), with or without the lazy build.
DUMP = """
import json, sys, warnings
warnings.simplefilter("ignore")
if sys.argv[1] == "lazy":
    from bot.telegram import lazy_models
    lazy_models.install()
import aiogram
from pydantic import BaseModel
out = {}
for module in (aiogram.types, aiogram.methods):
    for name in module.__all__:
        cls = getattr(module, name)
        if isinstance(cls, type) and issubclass(cls, BaseModel):
            try:
                out[module.__name__ + "." + name] = cls.model_json_schema()
            except Exception as exc:
                out[module.__name__ + "." + name] = type(exc).__name__
print(json.dumps(out, sort_keys=True))
"""


def aiogram_models() -> list[type[BaseModel]]:
    import aiogram

    return [cls for module in (aiogram.types, aiogram.methods) for name in module.__all__
            if isinstance(cls := getattr(module, name), type) and issubclass(cls, BaseModel)
            and not inspect.isabstract(cls)]


def python(code: str, *args: str) -> str:
    return subprocess.run([sys.executable, "-c", code, *args], cwd=REPO, capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.slow  # a child Python process
def test_importing_the_bot_leaves_aiogram_models_unbuilt_until_used() -> None:
    out = python("import bot.config, aiogram.types as t, aiogram.methods as m\n"
                 "print(t.Sticker.__pydantic_complete__, m.SendSticker.__pydantic_complete__)\n"
                 "t.Sticker.model_validate({'file_id': 'a', 'file_unique_id': 'b', 'type': 'regular',\n"
                 "    'width': 1, 'height': 1, 'is_animated': False, 'is_video': False})\n"
                 "print(t.Sticker.__pydantic_complete__)")
    assert out.split() == ["False", "False", "True"]


@pytest.mark.slow  # a child Python process
def test_a_stock_aiogram_import_is_left_alone() -> None:
    out = python("import aiogram.types as t\nprint(t.Sticker.__pydantic_complete__)")
    assert out.split() == ["True"]


@pytest.mark.slow
def test_every_type_and_method_builds_and_validates() -> None:
    models = aiogram_models()
    assert len(models) > 500
    for cls in models:
        with contextlib.suppress(ValidationError):  # required fields missing: the validator was built and ran
            cls.model_validate({})
        assert cls.__pydantic_complete__, cls.__name__


@pytest.mark.slow  # a child Python process
def test_aiogram_imported_before_the_bot_stays_eager_with_a_warning() -> None:
    out = python("import warnings\nwarnings.simplefilter('error')\nimport aiogram\n"
                 "try:\n    import bot\nexcept RuntimeWarning as exc:\n    print('warned')")
    assert out.split() == ["warned"]


@pytest.mark.slow
def test_lazy_models_have_the_same_schemas_as_eager_ones() -> None:
    eager, lazy = (json.loads(python(DUMP, mode)) for mode in ("eager", "lazy"))
    assert len(eager) > 500
    assert lazy == eager
