"""The one error type of the build: it names the file, the entry and, where known, the line."""

from __future__ import annotations

from pathlib import Path


class BuildError(Exception):
    """Bad input or a failed check: the build stops and leaves earlier artefacts untouched."""

    def __init__(
        self,
        reason: str,
        *,
        file: Path | str | None = None,
        line: int | None = None,
        entry: str | None = None,
    ) -> None:
        self.reason = reason
        self.file = str(file) if file is not None else None
        self.line = line
        self.entry = entry
        super().__init__(self.message())

    def message(self) -> str:
        """``file:line: entry: reason``, leaving out what is not known."""
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        what = f"{self.entry}: " if self.entry else ""
        return f"{where}{what}{self.reason}"
