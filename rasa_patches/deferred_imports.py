"""Import what a served model uses, not TensorFlow with it.

Every Rasa 3.6 server imports TensorFlow at start-up, whether or not its model
has a TensorFlow component — seconds of start-up and a few hundred MB of memory
for a model like ours (logistic regression, rules) that never calls it. Two
paths lead there, and each is deferred until something uses it:

- Loading a model reads its metadata, which holds the *training* graph too, and
  imports every class it names — among them the recipe validator, which imports
  DIET and TED for its checks. The server never runs the training graph: here
  its classes are imported the first time something reads `train_schema`.
- `rasa.utils.train_utils` (training helpers, imported by featurizers and
  entity extractors) imports TensorFlow through `rasa.utils.tensorflow.callback`.
  Here the module is created as usual (`import` and `sys.modules` see it at
  once) but its code runs the first time one of its names is read. A model with
  DIET or TED reads them while it loads, and gets TensorFlow exactly as before.
"""
from __future__ import annotations

import ast
import dataclasses
import importlib.abc
import importlib.machinery
import logging
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any, Optional, Union

from rasa.engine.graph import GraphSchema
from rasa.engine.storage.storage import ModelMetadata

logger = logging.getLogger("rasa.patches")

DEFERRED = frozenset({"rasa.utils.train_utils"})


def top_level_names(source: str) -> Optional[set[str]]:
    """The names a module's code defines at its top level (also inside top-level if/try/with)."""
    names: set[str] = set()
    statements = list(ast.parse(source).body)
    while statements:
        statement = statements.pop()
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(statement.name)
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            if any(alias.name == "*" for alias in statement.names):
                return None  # unknowable: any name may come from it
            names.update((alias.asname or alias.name).split(".")[0] for alias in statement.names)
        elif isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            names.update(node.id for target in targets for node in ast.walk(target) if isinstance(node, ast.Name))
        elif isinstance(statement, (ast.If, ast.Try, ast.With)):
            statements.extend(statement.body)
            statements.extend(getattr(statement, "orelse", []))
            statements.extend(getattr(statement, "finalbody", []))
            for handler in getattr(statement, "handlers", []):
                statements.extend(handler.body)
    return names


class _RunOnFirstUse(importlib.abc.Loader):
    def __init__(self, loader: importlib.abc.Loader, names: Optional[set[str]]) -> None:
        self.loader, self.names = loader, names

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Optional[ModuleType]:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        loader, names = self.loader, self.names

        # A module's __getattr__ (PEP 562) is only asked for names the module lacks:
        # until its code has run, that is every name of its own. Names it will not
        # define (asked by the import system or by tools that scan every loaded
        # module, as skops and pickle do) do not run it.
        def __getattr__(name: str) -> Any:
            if (names is not None and name not in names) or (name.startswith("__") and name != "__all__"):
                raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}")
            del module.__getattr__
            module.__loader__ = module.__spec__.loader = loader
            loader.exec_module(module)
            return getattr(module, name)

        module.__getattr__ = __getattr__


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: Optional[Sequence[str]], target: Optional[ModuleType] = None):
        if name not in DEFERRED:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        source = spec.loader.get_source(name) if spec is not None and hasattr(spec.loader, "get_source") else None
        if source is not None:
            spec.loader = _RunOnFirstUse(spec.loader, top_level_names(source))
        return spec


class LazyTrainSchemaMetadata(ModelMetadata):
    """Rasa's model metadata, whose training graph is deserialised when first read."""

    @property
    def train_schema(self) -> GraphSchema:
        schema = self.__dict__["_train_schema"]
        if not isinstance(schema, GraphSchema):
            schema = self.__dict__["_train_schema"] = GraphSchema.from_dict(schema)
        return schema

    @train_schema.setter
    def train_schema(self, schema: Union[GraphSchema, dict[str, Any]]) -> None:
        self.__dict__["_train_schema"] = schema


_metadata_from_dict = ModelMetadata.from_dict.__func__


def metadata_from_dict(cls: type, serialized: dict[str, Any]) -> ModelMetadata:
    metadata = _metadata_from_dict(cls, {**serialized, "train_schema": {"nodes": {}}})
    values = {field.name: getattr(metadata, field.name) for field in dataclasses.fields(ModelMetadata)}
    return LazyTrainSchemaMetadata(**{**values, "train_schema": serialized["train_schema"]})


def apply() -> None:
    ModelMetadata.from_dict = classmethod(metadata_from_dict)
    loaded = DEFERRED & sys.modules.keys()
    if loaded:
        logger.warning("rasa_patches: %s already imported, not deferred (apply before importing Rasa)", sorted(loaded))
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
