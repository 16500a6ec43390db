"""Spec bundles: a process spec with everything it calls, built once and cached.

A bundle is identified by the definition versions it was built from (the process itself, the
processes its call activities name, the decisions its business rule tasks name, transitively).
An instance records that list when it starts, so it keeps running on exactly those versions
whatever is deployed later.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from flask import Flask, current_app, has_app_context

from app.engine.parser import Document, build_parser, read_document


@dataclass
class Bundle:
    """The specs one instance runs on."""

    key: str
    spec: object
    subprocess_specs: dict
    lane_groups: dict[str, list[str]] = field(default_factory=dict)
    #: decision table key → its definition id in this bundle (filled by the first step recording one)
    decision_versions: dict[str, int] | None = None


def compile_bundle(process_key: str, documents: Sequence[Document]) -> Bundle:
    """Parse documents and return the bundle for ``process_key`` (raises ValidationException)."""
    parser = build_parser(list(documents), validate=False)
    spec = parser.get_spec(process_key)
    subprocess_specs = parser.get_subprocess_specs(process_key)
    for s in [spec, *subprocess_specs.values()]:
        parser.finish_spec(s)
    return Bundle(process_key, spec, subprocess_specs, dict(parser.lane_groups))


_compiled = 0  # bundles compiled by this process (app.heap settles the collector after new ones)


def compiled_count() -> int:
    """How many bundles this process has compiled."""
    return _compiled


class BundleCache:
    """A small LRU of compiled bundles keyed by (process key, definition ids)."""

    def __init__(self, size: int = 128):
        self.size = size
        self._items: OrderedDict[tuple, Bundle] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self,
        process_key: str,
        definition_ids: Sequence[int],
        load_files: Callable[[Sequence[int]], list[tuple[str, bytes]]],
    ) -> Bundle:
        """The cached bundle, or one compiled from the files ``load_files`` returns."""
        cache_key = (process_key, tuple(sorted(definition_ids)))
        with self._lock:
            bundle = self._items.get(cache_key)
            if bundle is not None:
                self._items.move_to_end(cache_key)
                return bundle
        documents = [read_document(name, content) for name, content in load_files(cache_key[1])]
        bundle = compile_bundle(process_key, documents)
        global _compiled
        with self._lock:
            _compiled += 1
            self._items[cache_key] = bundle
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return bundle

    def clear(self) -> None:
        """Forget every bundle."""
        with self._lock:
            self._items.clear()


EXTENSION = "housing.bundles"


def init_app(app: Flask) -> BundleCache:
    """Give ``app`` its own cache: definition ids are immutable in one database but repeat across
    databases, so a cache shared by two apps could hand one the other's specs."""
    cache = app.extensions[EXTENSION] = BundleCache()
    return cache


class CurrentBundles:
    """``bundles``: the running app's :class:`BundleCache`, resolved on every use."""

    def _cache(self) -> BundleCache:
        if not has_app_context():
            raise RuntimeError("the spec cache belongs to an application: use it inside `with app.app_context():`")
        return current_app.extensions[EXTENSION]

    def get(
        self,
        process_key: str,
        definition_ids: Sequence[int],
        load_files: Callable[[Sequence[int]], list[tuple[str, bytes]]],
    ) -> Bundle:
        """See :meth:`BundleCache.get`."""
        return self._cache().get(process_key, definition_ids, load_files)

    def clear(self) -> None:
        """Forget every bundle of the running app."""
        self._cache().clear()


bundles = CurrentBundles()
