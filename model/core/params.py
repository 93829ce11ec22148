"""Reading scenario files: names, `extends` chains, merging, `--set` overrides and schema errors.

Every failure here is a CasebookError that names the file, the key and the YAML line.
"""

from __future__ import annotations

import copy
import difflib
import functools
import os
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from .reads import record_listing, where
from .errors import CasebookError, CasebookErrors, did_you_mean
from .set_rules import OPTIONAL_APPRAISAL_KEYS, date_outside_year
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
    if params_dir.is_file():
        raise CasebookError(f"params directory {str(params_dir)!r} is a file; give the folder that holds "
                            "the scenario files (--params DIR)")
    if not params_dir.is_dir():
        raise CasebookError(f"params directory {str(params_dir)!r} does not exist")
    names = sorted(p.stem for p in params_dir.glob("*.yaml") if SLUG_RE.match(p.stem))
    record_listing(params_dir, names)  # a notebook that lists the scenarios depends on the list
    return names


def scenario_file(params_dir: Path, name: str) -> Path:
    check_slug(name)
    path = params_dir / f"{name}.yaml"
    if path.is_symlink() and not path.exists():
        raise CasebookError(f"is a link to {os.readlink(path)!r}, which does not exist",
                            file=f"{params_dir.name}/{name}.yaml")
    if not path.is_file():
        names = scenario_names(params_dir)
        known = ", ".join(names) or "none"
        raise CasebookError(f"unknown scenario {name!r}{did_you_mean(name, names)} (known: {known})")
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
        data = load_yaml_file(path, display=where(path))  # as the other messages name it
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
        elif (key in out and isinstance(out[key], LineDict) and isinstance(value, LineDict)
                and _is_atomic(value) and _is_atomic(out[key])):
            out[key] = _inherit_unit_and_label(out[key], value)
        else:
            out[key] = value
        out.key_files[key], out.key_lines[key] = over.origin(key)
    return out


def _inherit_unit_and_label(base: LineDict, over: LineDict) -> LineDict:
    """A parameter is replaced whole, but a file that changes one may leave its `unit` and `label` to
    the file it extends: they say what the key is, which does not change. A cost line's `timing` and
    `committed` amounts are inherited the same way: when the spend falls and what is committed at the
    decision date do not change with an option that cuts the line."""
    missing = [k for k in ("unit", "label", "timing", "committed") if k not in over and k in base]
    if not missing:
        return over
    out = LineDict(over)
    out.file, out.line = over.file, over.line
    out.key_lines, out.key_files = dict(over.key_lines), dict(over.key_files)
    for k in missing:
        out[k] = base[k]
        out.key_files[k], out.key_lines[k] = base.origin(k)
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


def drop_inherited_checks(tree: LineDict, file: str | None) -> None:
    """A declared check (`checks:`) belongs to the file that declares it: after a file is merged, the
    checks that only an earlier file of the chain declares are removed, unless they say `inherit: true`
    (a check the file itself adjusts is its own)."""
    checks = tree.get("checks")
    if not isinstance(checks, LineDict):
        return
    kept = LineDict()  # a new mapping: the old one may be a file's own, shared with other loads
    kept.file, kept.line = checks.file, checks.line
    for cid, entry in checks.items():
        if checks.origin(cid)[0] == file or (isinstance(entry, dict) and entry.get("inherit") is True):
            kept[cid] = entry
            kept.key_files[cid], kept.key_lines[cid] = checks.origin(cid)
    if len(kept) != len(checks):
        tree["checks"] = kept


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


def _unwrap(annotation: Any) -> Any:
    """The model class (or tuple of union members, or ('map', value type)) behind a field's type."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _unwrap(args[0])
    if origin in (Union, UnionType):
        members = [a for a in args if a is not type(None)]
        if len(members) == 1:
            return _unwrap(members[0])
        return tuple(_unwrap(a) for a in members)
    if origin is dict:
        return ("map", _unwrap(args[1]))
    if origin in (list, tuple):
        return ("list", _unwrap(args[0]) if args else None)
    return annotation


def schema_fields(loc: tuple, model: type = Scenario) -> list[str] | None:
    """The field names the schema defines at a path (its last part excluded), or None where the
    keys are open (a mapping of names) or the path leaves the schema."""
    node: Any = model
    for part in loc[:-1]:
        if isinstance(node, tuple) and node and node[0] in ("map", "list"):
            node = node[1]
            continue
        if isinstance(node, tuple):  # a union of models, chosen by its `type` tag
            chosen = [m for m in node if isinstance(m, type) and issubclass(m, BaseModel)
                      and "type" in m.model_fields
                      and part in get_args(m.model_fields["type"].annotation)]
            if chosen:
                node = chosen[0]
                continue
            return None
        if isinstance(node, type) and issubclass(node, BaseModel):
            field = node.model_fields.get(part) or next(
                (f for f in node.model_fields.values() if f.alias == part), None)
            if field is None:
                return None
            node = _unwrap(field.annotation)
            continue
        return None
    def names(m) -> list[str]:  # as written in YAML: a field's alias where it has one ("class")
        return [f.alias or name for name, f in m.model_fields.items()]

    if isinstance(node, type) and issubclass(node, BaseModel):
        return names(node)
    if isinstance(node, tuple) and node and node[0] not in ("map", "list"):
        return sorted({f for m in node if isinstance(m, type) and issubclass(m, BaseModel) for f in names(m)})
    return None


def _error(tree: LineDict, err: dict) -> CasebookError:
    loc = tuple(err["loc"])
    file, key, line = locate(tree, loc)
    message = _pydantic_message(err)
    if err.get("type") == "extra_forbidden":
        message += did_you_mean(loc[-1], schema_fields(loc) or [])
    return CasebookError(message, file=file, key=key or None, line=line)


def validate(tree: LineDict, model: type = Scenario) -> Any:
    """Validate a merged tree. Every schema error becomes a one-line CasebookError at its file and
    line; several are raised together (CasebookErrors), so that one run reports them all."""
    from .unit_rules import unit_errors

    wrong_units = unit_errors(tree) if model is Scenario else []
    try:
        validated = model.model_validate(tree)
    except ValidationError as exc:
        # an unknown key explains more than the "missing" error its typo also causes
        errs = sorted(exc.errors(), key=lambda e: e.get("type") != "extra_forbidden")
        # a misspelt key also makes the key it was meant to be "missing": report the typo only; and a
        # field that checks its absence (exactly one of gdp_deflator and gdp_deflator_series) is left
        # blank by the typo of either: its message on the blank (input None) is dropped too
        meant, absent = set(), set()
        for e in errs:
            if e.get("type") == "extra_forbidden":
                loc = tuple(e["loc"])
                fields = schema_fields(loc) or []
                close = difflib.get_close_matches(str(loc[-1]), fields, n=1, cutoff=0.6)
                meant.update(loc[:-1] + (c,) for c in close)
                absent.update(loc[:-1] + (c,) for c in difflib.get_close_matches(str(loc[-1]), fields, n=3,
                                                                                 cutoff=0.6))
        errs = [e for e in errs if not (e.get("type") == "missing" and tuple(e["loc"]) in meant)
                and not (e.get("type") == "value_error" and e.get("input") is None and tuple(e["loc"]) in absent)]
        # a wrong unit explains the errors of the value it makes wrong: report the unit only
        wrong = tuple(e.key.removesuffix(".unit") for e in wrong_units)
        errors = wrong_units + [e for e in (_error(tree, x) for x in errs)
                                if not (e.key and any(e.key == k or e.key.startswith(k + ".") for k in wrong))]
        raise (errors[0] if len(errors) == 1 else CasebookErrors(errors)) from None
    if wrong_units:
        raise wrong_units[0] if len(wrong_units) == 1 else CasebookErrors(wrong_units)
    return validated


#: How alike a new key must be to an inherited one to be taken as a misspelling of it (difflib's ratio):
#: `analytcs_go_live` against `analytics_go_live` is 0.97. Keys that differ only in their digits
#: (`npv_v3_gbp_m` beside `npv_v1_gbp_m`) are numbered entries, not slips.
NEAR_MISS = 0.9


def _near_miss(key: str, base: Any) -> bool:
    """A new key that differs from an inherited key of the same mapping by a slip of the keyboard."""
    if not isinstance(base, dict):
        return False
    return _near_miss_of(str(key), tuple(str(k) for k in base))


@functools.lru_cache(maxsize=4096)
def _near_miss_of(key: str, known: tuple[str, ...]) -> bool:
    import difflib

    close = difflib.get_close_matches(key, list(known), n=1, cutoff=NEAR_MISS)
    undigit = lambda s: "".join(c for c in s if not c.isdigit())  # noqa: E731
    return bool(close) and undigit(close[0]) != undigit(key)


def check_overrides(base: LineDict, over: LineDict, parent: str, strict: bool) -> None:
    """Every key a child file overrides must name something in its `extends` chain (`base`, the
    parents merged) or a field the schema defines; a misspelt key would otherwise add a parameter
    that nothing reads. A published version may add new published entries (with a source) to an open
    mapping; an assumption may only replace an existing one. `strict` (options and sensitivities):
    every new key in an open mapping is refused."""
    errors: list[CasebookError] = []

    def walk(b: Any, o: Any, path: tuple) -> None:
        if not isinstance(o, LineDict):
            return
        for key, value in o.items():
            here = path + (key,)
            if isinstance(b, dict) and key in b:
                if isinstance(value, LineDict) and isinstance(b[key], LineDict) \
                        and not _is_atomic(value) and not _is_atomic(b[key]):
                    walk(b[key], value, here)
                continue
            fields = schema_fields(here)
            if fields is not None:
                continue  # a field of the schema, or an unknown key that validation reports
            if fields is None and not strict and not (isinstance(value, dict) and value.get("assumption")) \
                    and not _near_miss(key, b):
                continue  # a published version adding its own entry to an open mapping
            if fields is None and not isinstance(b, dict):
                continue  # a whole new section: the schema validates it
            file, line = o.origin(key)
            known = list(b) if isinstance(b, dict) else []
            errors.append(CasebookError(f"overrides nothing: not a key in {parent} or the files it "
                                        f"extends{did_you_mean(key, known)}", file=file,
                                        key=".".join(map(str, here)), line=line))

    walk(base, over, ())
    if errors:
        raise errors[0] if len(errors) == 1 else CasebookErrors(errors)


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
    appraisal = tree.get("appraisal") if isinstance(tree, dict) else None
    if len(parts) == 2 and parts[0] == "appraisal" and isinstance(appraisal, dict):
        if parts[1] in OPTIONAL_APPRAISAL_KEYS and parts[1] not in appraisal:
            # an optional key the files leave out may still be set: it starts as a bare parameter
            appraisal[parts[1]] = {"value": None, "unit": OPTIONAL_APPRAISAL_KEYS[parts[1]]}
        if parts[1] == "decision_fy" and date_outside_year(appraisal.get("decision_date"), value):
            # a decision year set on its own moves the decision to that year's start (1 April)
            del appraisal["decision_date"]
    node: Any = tree
    for i, part in enumerate(parts):
        if isinstance(node, dict) and part in node:
            parent, node = node, node[part]
            continue
        # a new year inside an existing series is allowed
        if isinstance(node, dict) and i == len(parts) - 1 and parts[i - 1:i] == ["by_fy"]:
            parent, node = node, None
            break
        known = [".".join(parts[:i] + [k]) for k in node] if isinstance(node, dict) else []
        raise CasebookError("unknown parameter key" + did_you_mean(".".join(parts[:i + 1]), known),
                            file="--set", key=dotted)
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
