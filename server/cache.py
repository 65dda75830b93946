"""A thread-safe LRU cache bounded by the total size of its byte values."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class ByteLRU(Generic[V]):
    """Least-recently-used cache holding at most ``max_bytes`` of values (sized by ``len``)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._data: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> V | None:
        """The cached value or None; marks it as recently used."""
        with self._lock:
            item = self._data.get(key)
            if item is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return item[0]

    def put(self, key: Hashable, value: V, size: int) -> None:
        """Store ``value`` (of ``size`` bytes) unless it alone exceeds the bound."""
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._size -= old[1]
            self._data[key] = (value, size)
            self._size += size
            while self._size > self.max_bytes:
                _, (_, dropped) = self._data.popitem(last=False)
                self._size -= dropped

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._data.clear()
            self._size = 0

    @property
    def size(self) -> int:
        """Bytes currently held."""
        return self._size

    def __len__(self) -> int:
        return len(self._data)
