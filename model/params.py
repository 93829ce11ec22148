"""Reading scenario files: names, `extends` chains, merging, `--set` overrides and schema errors.

Every failure here is a CasebookError that names the file, the key and the YAML line.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .deps import record_listing
from .errors import CasebookError
from .fy import parse_fy
from .schema import SLUG_RE, Scenario
from .yamlio import LineDict, load_yaml_file, parse_scalar

DEFAULT_PARAMS_DIR = Path("params")
#: Keys that belong to one file and are not inherited through `extends`.
PER_FILE_KEYS = ("extends", "calibration")
#: A mapping with one of these keys is one parameter: a child replaces it whole, never field by field,
#: so that a value and its provenance always travel together.
ATOMIC_MARKERS = ("value", "by_fy", "statements")


def check_slug(name: str, what: str = "scenario name") -> str:
    if not isinstance(name, str) or not SLUG_RE.match(name):
        raise CasebookError(f"{what} {name!r} is not a plain slug (lower-case letters, digits and _, "
                            "starting with a letter)")
    return name


def scenario_names(params_dir: Path) -> list[str]:
    if not params_dir.is_dir():
        raise CasebookError(f"params directory {str(params_dir)!r} does not exist")
    names = sorted(p.stem for p in params_dir.glob("*.yaml") if SLUG_RE.match(p.stem))
    record_listing(params_dir, names)  # a notebook that lists the scenarios depends on the list
    return names


def scenario_file(params_dir: Path, name: str) -> Path:
    check_slug(name)
    path = params_dir / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(scenario_names(params_dir)) or "none"
        raise CasebookError(f"unknown scenario {name!r} (known: {known})")
    return path


def read_chain(params_dir: Path, name: str) -> list[tuple[str, LineDict]]:
    """The scenario and its ancestors, root first. Refuses cycles and unknown parents."""
    chain: list[tuple[str, LineDict]] = []
    seen: list[str] = []
    current = name
    child_file, child_line = None, None
    while True:
        if current in seen:
            cycle = " -> ".join(seen + [current])
            raise CasebookError(f"`extends` cycle: {cycle}", file=child_file, key="extends",
                                line=child_line)
        try:
            path = scenario_file(params_dir, current)
        except CasebookError as exc:
            if child_file is None:
                raise
            raise CasebookError(f"unknown parent scenario {current!r}", file=child_file,
                                key="extends", line=child_line) from exc
        data = load_yaml_file(path, display=str(path))
        seen.append(current)
        chain.append((current, data))
        parent = data.get("extends")
        if parent is None:
            break
        child_file, child_line = data.origin("extends")
        if not isinstance(parent, str) or not SLUG_RE.match(parent):
            raise CasebookError(f"extends must name a scenario, not {parent!r}", file=child_file,
                                key="extends", line=child_line)
        current = parent
    chain.reverse()
    return chain


def _is_atomic(value: Any) -> bool:
    return isinstance(value, dict) and any(k in value for k in ATOMIC_MARKERS)


def merge(base: LineDict, over: LineDict) -> LineDict:
    """Deep-merge `over` onto `base`, keeping each key's file and line. Parameters are replaced whole."""
    out = LineDict()
    out.file, out.line = over.file, over.line
    for key, value in base.items():
        out[key] = value
        out.key_files[key], out.key_lines[key] = base.origin(key)
    for key, value in over.items():
        if (key in out and isinstance(out[key], LineDict) and isinstance(value, LineDict)
                and not _is_atomic(value) and not _is_atomic(out[key])):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
        out.key_files[key], out.key_lines[key] = over.origin(key)
    return out


def own_part(data: LineDict) -> LineDict:
    """A file's content less the keys that are not inherited."""
    out = LineDict()
    out.file, out.line = data.file, data.line
    for key, value in data.items():
        if key not in PER_FILE_KEYS:
            out[key] = value
            out.key_files[key], out.key_lines[key] = data.origin(key)
    return out


def locate(tree: Any, loc: tuple) -> tuple[str | None, str, int | None]:
    """The file, dotted key and line for a path into a merged tree (as pydantic reports it)."""
    node, keys = tree, []
    file, line = getattr(tree, "file", None), None
    last_missing = None
    for part in loc:
        if isinstance(node, dict) and part in node:
            if isinstance(node, LineDict):
                file, line = node.origin(part)
            keys.append(str(part))
            node = node[part]
            last_missing = None
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            keys.append(str(part))
            node = node[part]
            if isinstance(node, LineDict):
                file, line = node.file, node.line
            last_missing = None
        else:
            # a pydantic union tag, or a key that is missing: keep the parent's place
            last_missing = str(part)
    if last_missing is not None and last_missing not in ("table", "allocated"):
        keys.append(last_missing)
    return file, ".".join(keys), line


def _pydantic_message(err: dict) -> str:
    kind, msg = err.get("type"), err.get("msg", "invalid value")
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key is missing"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    return msg


def validate(tree: LineDict, model: type = Scenario) -> Any:
    """Validate a merged tree; the first error becomes a CasebookError at its file and line."""
    try:
        return model.model_validate(tree)
    except ValidationError as exc:
        # an unknown key explains more than the "missing" error its typo also causes
        errors = sorted(exc.errors(), key=lambda e: e.get("type") != "extra_forbidden")
        err = errors[0]
        file, key, line = locate(tree, tuple(err["loc"]))
        raise CasebookError(_pydantic_message(err), file=file, key=key or None, line=line) from None


def check_periods(tree: LineDict, scenario: Scenario) -> None:
    """Every financial year used must lie inside the appraisal period."""
    first, last = scenario.appraisal.first_fy.value, scenario.appraisal.last_fy.value

    def walk(node: Any, path: tuple) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(key, str) and key.startswith("FY") and isinstance(value, (int, float)):
                    try:
                        start = parse_fy(key)
                    except ValueError:
                        continue
                    if not first <= start <= last:
                        file, dotted, line = locate(tree, path + (key,))
                        raise CasebookError(
                            f"financial year {key} is outside the appraisal period "
                            f"FY{first % 100:02d}/{(first + 1) % 100:02d} to "
                            f"FY{last % 100:02d}/{(last + 1) % 100:02d}", file=file, key=dotted, line=line)
                else:
                    walk(value, path + (key,))
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, path + (i,))

    walk(tree, ())


def get_node(tree: Any, dotted: str) -> Any:
    node = tree
    for part in dotted.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise KeyError(dotted)
    return node


def apply_set(tree: LineDict, dotted: str, raw_value: str) -> LineDict:
    """Return a copy of the tree with one `--set KEY=VALUE` applied.

    KEY is a dotted path to a parameter (its `value` is replaced) or to one year of a series
    (`...by_fy.FY24/25`). The override is recorded as an assumption made on the command line.
    """
    where = f"--set {dotted}"
    value = parse_scalar(raw_value) if isinstance(raw_value, str) else raw_value
    tree = copy.deepcopy(tree)
    parts = dotted.split(".")
    if parts and parts[-1] == "value":
        parts = parts[:-1]
    node: Any = tree
    for i, part in enumerate(parts):
        if isinstance(node, dict) and part in node:
            parent, node = node, node[part]
            continue
        # a new year inside an existing series is allowed
        if isinstance(node, dict) and i == len(parts) - 1 and parts[i - 1:i] == ["by_fy"]:
            parent, node = node, None
            break
        raise CasebookError("unknown parameter key", file="--set", key=dotted)
    if isinstance(node, dict) and "value" in node:
        node["value"] = value
        target = node
    elif parts[-2:-1] == ["by_fy"]:
        parent[parts[-1]] = value
        target = get_node(tree, ".".join(parts[:-2]))
    else:
        raise CasebookError("is not a parameter (a key with a value or one year of a series)",
                            file="--set", key=dotted)
    target["source"] = None
    target["assumption"] = True
    target["why"] = f"set on the command line: {where}={raw_value}"
    return tree
