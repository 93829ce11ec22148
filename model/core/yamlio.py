"""Safe YAML loading that remembers the line of every key.

Only YAML's safe types are built (no Python object tags). Duplicate keys are an error, not a silent
overwrite. Every mapping comes back as a :class:`LineDict`, which knows the file it came from and the
line of each of its keys, so that a schema error can name the file, the key and the line.
"""

from __future__ import annotations

import hashlib
import math
import pickle
import re
from pathlib import Path
from typing import Any

import yaml

from .reads import record_file
from .errors import CasebookError

MAX_PARAMS_BYTES = 2_000_000  # a scenario file is a few kB; refuse anything absurd before parsing


class LineDict(dict):
    """A dict that records, for each key, the file and line it was written on."""

    file: str = ""
    line: int = 0
    key_lines: dict
    #: On the top level of a file as `load_yaml_file` returns it: the SHA-256 of the file's bytes.
    sha256: bytes = b""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_lines = {}
        self.key_files = {}

    def origin(self, key: Any) -> tuple[str, int | None]:
        return self.key_files.get(key, self.file), self.key_lines.get(key)


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser where available


class _LineLoader(_BaseLoader):
    """SafeLoader whose mappings are LineDicts and which refuses duplicate keys."""

    filename = "<params>"

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:  # type: ignore[override]
        if not isinstance(node, yaml.MappingNode):
            raise yaml.constructor.ConstructorError(
                None, None, f"expected a mapping, found {node.id}", node.start_mark)
        own = sum(1 for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge")
        self.flatten_mapping(node)
        # YAML merge keys (`<<: *base`) put the merged pairs first; a key written in the mapping itself
        # then replaces a merged one, as YAML says, and is not a duplicate
        merged = len(node.value) - own
        from_merge: set = set()
        mapping = LineDict()
        mapping.file = self.filename
        mapping.line = node.start_mark.line + 1
        for i, (key_node, value_node) in enumerate(node.value):
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                raise CasebookError("a mapping key must be a plain scalar", file=self.filename,
                                    line=key_node.start_mark.line + 1) from None
            if isinstance(key, str) and key != key.strip():
                raise CasebookError(f"the key {key!r} has a space at its start or end", file=self.filename,
                                    key=key.strip(), line=key_node.start_mark.line + 1)
            if key in mapping and key not in from_merge:
                raise CasebookError(
                    f"duplicate key (first given on line {mapping.key_lines[key]})",
                    file=self.filename, key=str(key), line=key_node.start_mark.line + 1)
            if i < merged:
                from_merge.add(key)
            else:
                from_merge.discard(key)
            mapping[key] = self.construct_object(value_node, deep=deep)
            mapping.key_lines[key] = key_node.start_mark.line + 1
            mapping.key_files[key] = self.filename
        return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                            _LineLoader.construct_mapping)
# YAML 1.1 (PyYAML) reads 1e-3 as a string; YAML 1.2 and every analyst read it as a number.
_FLOAT_12 = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)[eE][-+]?\d+$")
_LineLoader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT_12, list("-+0123456789."))


def _yaml_error(exc: yaml.YAMLError, display: str) -> CasebookError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if "could not determine a constructor for the tag" in str(exc):
        tag = str(exc).split("tag", 1)[1].split("'")[1] if "'" in str(exc) else "?"
        return CasebookError(f"YAML tag {tag!r} is not allowed (params are plain data)",
                             file=display, line=line)
    return CasebookError(f"YAML syntax error: {problem}", file=display, line=line)


#: The most nodes a params file may hold once its aliases are expanded. A scenario file has a few
#: thousand; nested aliases (`&a [*a, *a, ...]`, a "billion laughs") would otherwise expand without end
#: in the checks that walk the values.
MAX_EXPANDED_NODES = 200_000


def _expanded_size(root: yaml.Node) -> int:
    """How many nodes the document has with every alias expanded, counted without expanding them
    (each node once, its size kept), stopping as soon as the count passes the limit."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        children = ([c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode)
                    else list(node.value) if isinstance(node, yaml.SequenceNode) else [])
        if done:
            sizes[id(node)] = 1 + sum(sizes.get(id(c), 0) for c in children)
            if sizes[id(node)] > MAX_EXPANDED_NODES:
                return sizes[id(node)]
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes.get(id(root), 0)


def load_yaml_text(text: str, display: str) -> Any:
    """Parse YAML text safely; every error becomes a one-line CasebookError."""
    loader = _LineLoader(text)
    loader.filename = display
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node) > MAX_EXPANDED_NODES:
            raise CasebookError(f"its aliases expand to more than {MAX_EXPANDED_NODES:,} values; a params "
                                "file holds a few thousand (nested `*` aliases?)", file=display,
                                line=node.start_mark.line + 1)
        return loader.construct_document(node)
    except CasebookError:
        raise
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, display) from None
    finally:
        loader.dispose()


def load_yaml_file(path: Path, display: str | None = None) -> LineDict:
    """Read a params file: size-checked, UTF-8, non-empty, and a mapping at the top."""
    display = display or path.name
    try:
        size = path.stat().st_size
        if size > MAX_PARAMS_BYTES:
            raise CasebookError(f"file is {size:,} bytes; a params file may be at most "
                                f"{MAX_PARAMS_BYTES:,}", file=display)
        raw = path.read_bytes()
    except OSError as exc:
        raise CasebookError(f"cannot read file: {exc.strerror}", file=display) from None
    record_file(path, raw)  # a rebuild re-executes only what read a changed file
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CasebookError("file is not valid UTF-8", file=display, line=line) from None
    if not text.strip():
        raise CasebookError("file is empty", file=display)
    digest = hashlib.sha256(raw).digest()
    if digest in _PARSED:  # the same text read again (the dependence engine reads many copies)
        data = _refile(pickle.loads(_PARSED[digest]), display)
        data.sha256 = digest
        return data
    data = load_yaml_text(text, display)
    if not isinstance(data, LineDict):
        raise CasebookError("the top level must be a mapping of keys to values", file=display, line=1)
    check_finite(data, display)
    if len(_PARSED) > 256:
        _PARSED.clear()
    _PARSED[digest] = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    data.sha256 = digest
    return data


#: Parsed params files by the SHA-256 of their bytes, pickled (a private copy: each caller unpickles
#: its own, several times faster than a deep copy).
_PARSED: dict[bytes, bytes] = {}


def _refile(node: Any, display: str) -> Any:
    """A cached parse, told the file name it was read under this time."""
    if isinstance(node, LineDict):
        node.file = display
        node.key_files = {k: display for k in node.key_files}
        for value in node.values():
            _refile(value, display)
    elif isinstance(node, list):
        for item in node:
            _refile(item, display)
    return node


def check_finite(data: Any, display: str) -> None:
    """Every number anywhere in a params file must be finite (YAML reads .nan and .inf as floats):
    each one that is not is reported, one line each, wherever it is (a figure, a total, a range, a
    statement quoted in a finding)."""
    from .errors import CasebookErrors

    problems: list[CasebookError] = []

    def walk(node: Any, path: tuple, line: int | None) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, path + (str(key),), node.key_lines.get(key) if isinstance(node, LineDict) else line)
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, path + (str(i),), getattr(item, "line", None) or line)
        elif isinstance(node, float) and not math.isfinite(node):
            problems.append(CasebookError(f"must be a finite number, not {node}", file=display,
                                          key=".".join(path), line=line))

    walk(data, (), None)
    if problems:
        raise problems[0] if len(problems) == 1 else CasebookErrors(problems)


def parse_scalar(text: str) -> Any:
    """Parse a --set value as a YAML scalar (safe types only)."""
    try:
        value = load_yaml_text(text, "--set") if text.strip() else None
    except CasebookError:
        raise CasebookError(f"value {text!r} is not a YAML scalar") from None
    if isinstance(value, (dict, list)):
        raise CasebookError(f"value {text!r} must be a scalar, not a {type(value).__name__}")
    return value
