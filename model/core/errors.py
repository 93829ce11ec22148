"""The one error type that the CLI turns into a one-line message and exit code 2."""

from __future__ import annotations


class CasebookError(Exception):
    """Bad input: names the file, the key and the YAML line where they are known."""

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None,
                 line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.key = key
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "")
        parts = [p for p in (where, self.key) if p]
        prefix = ": ".join(parts)
        text = f"{prefix}: {self.message}" if prefix else self.message
        return " ".join(text.split())  # always one line


class CasebookErrors(CasebookError):
    """Several problems found in one pass (every schema error of a file): one line each."""

    def __init__(self, errors: list[CasebookError]) -> None:
        unique = list({str(e): e for e in errors}.values())
        first = unique[0]
        super().__init__(first.message, file=first.file, key=first.key, line=first.line)
        self.errors = unique

    def lines(self) -> list[str]:
        return [str(e) for e in self.errors]


def error_lines(exc: CasebookError) -> list[str]:
    """The one-line messages of an error (one, or one per problem)."""
    return exc.lines() if isinstance(exc, CasebookErrors) else [str(exc)]


def did_you_mean(name: str, known) -> str:
    """' (did you mean X?)' for the nearest known name (standard library difflib), or ''."""
    import difflib

    close = difflib.get_close_matches(str(name), [str(k) for k in known], n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""
