"""Load the seed folder: article texts, their YAML annotations and the entity registry.

YAML is read with line numbers kept on every mapping, so that later checks can point at the
entry they refuse. Each file is checked against ``annotation.schema.json`` before use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .errors import BuildError

SCHEMA_PATH = Path(__file__).with_name("annotation.schema.json")
REGISTRY_NAME = "entities.yaml"


class Entry(dict):
    """A YAML mapping that remembers the line it starts on (1-based)."""

    line: int = 0


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps line numbers and leaves dates as the strings they were written as."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Entry:
    entry = Entry(loader.construct_mapping(node, deep=True))
    entry.line = node.start_mark.line + 1
    return entry


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


@dataclass(frozen=True)
class Article:
    """One article: its id, exact text and annotation."""

    id: str
    text: str
    text_path: Path
    annotation: Entry
    annotation_path: Path


@dataclass(frozen=True)
class Seeds:
    """Everything the build reads from the seed folder."""

    registry: Entry
    registry_path: Path
    articles: tuple[Article, ...]


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _line_of(document: Any, path: list[Any]) -> int | None:
    """Line of the deepest mapping along ``path`` inside ``document``."""
    line = getattr(document, "line", None)
    node = document
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        line = getattr(node, "line", line)
    return line


def _entry_name(document: Any, path: list[Any]) -> str:
    """A readable name for the entry at ``path``: its section and id when it has one."""
    node = document
    name = "/".join(str(p) for p in path) or "(top level)"
    for depth, step in enumerate(path):
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and "id" in node:
            name = f"{path[depth - 1] if depth else ''} '{node['id']}'".strip()
    return name


def check_schema(document: Any, path: Path) -> None:
    """Raise BuildError for the most relevant schema violation in ``document``, if any."""
    errors = list(_validator().iter_errors(document))
    if not errors:
        return
    best = jsonschema.exceptions.best_match(errors)
    # For oneOf at the top, descend into the branch matching the file kind for a clearer message.
    location = list(best.absolute_path)
    raise BuildError(
        f"does not match the annotation schema: {best.message}",
        file=path,
        line=_line_of(document, location),
        entry=_entry_name(document, location),
    )


def load_yaml(path: Path) -> Entry:
    """Parse one YAML file (line numbers kept) and check it against the schema."""
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise BuildError(
            f"is not valid YAML: {getattr(exc, 'problem', exc)}",
            file=path,
            line=mark.line + 1 if mark else None,
        ) from exc
    except UnicodeDecodeError as exc:
        raise BuildError(f"is not UTF-8: {exc}", file=path) from exc
    if not isinstance(document, dict):
        raise BuildError("must be a YAML mapping", file=path)
    check_schema(document, path)
    return document


def load_seeds(seeds_dir: Path) -> Seeds:
    """Read the registry and every ``<id>.txt`` + ``<id>.yaml`` pair of ``seeds_dir``."""
    registry_path = seeds_dir / REGISTRY_NAME
    if not registry_path.is_file():
        raise BuildError("the entity registry is missing", file=registry_path)
    registry = load_yaml(registry_path)
    if "entities" not in registry:
        raise BuildError("the entity registry must have an 'entities' list", file=registry_path)

    articles = []
    for text_path in sorted(seeds_dir.glob("*.txt")):
        if text_path.name.lower() == "readme.txt":
            continue
        annotation_path = text_path.with_suffix(".yaml")
        if not annotation_path.is_file():
            raise BuildError("article has no annotation file " + annotation_path.name, file=text_path)
        try:
            text = text_path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BuildError(f"article is not UTF-8: {exc}", file=text_path) from exc
        annotation = load_yaml(annotation_path)
        if "article" not in annotation:
            raise BuildError("an article annotation needs an 'article' section", file=annotation_path)
        declared = annotation["article"]["id"]
        if declared != text_path.stem:
            raise BuildError(
                f"article id {declared!r} does not match the text file {text_path.name!r}",
                file=annotation_path,
                line=annotation["article"].line,
                entry="article",
            )
        articles.append(Article(text_path.stem, text, text_path, annotation, annotation_path))
    for orphan in sorted(seeds_dir.glob("*.yaml")):
        if orphan.name != REGISTRY_NAME and not orphan.with_suffix(".txt").is_file():
            raise BuildError("annotation has no article text " + orphan.stem + ".txt", file=orphan)
    if not articles:
        raise BuildError("no article (<id>.txt with <id>.yaml) found", file=seeds_dir)
    return Seeds(registry, registry_path, tuple(articles))
