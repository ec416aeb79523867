"""Problems found in the input: collected, never raised one at a time."""

from __future__ import annotations

from dataclasses import dataclass

from .characters import escape
from .privacy import mask_ids


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in one file, in the format editors and CI logs understand."""

    path: str
    line: int
    column: int
    field: str
    message: str
    rule: str
    level: str = "error"

    def format(self) -> str:
        """The line printed for this problem (`shown`: a value a clerk wrote may be quoted in it)."""
        where = f"{self.path}:{self.line}:{self.column}"
        what = f"{self.field}: {self.message}" if self.field else self.message
        return shown(f"{where}: {self.level}: {what} ({self.rule})")


# ------------------------------------------------------------------ output formats


def shown(text: str) -> str:
    """`text` as every output format prints it: an ID number quoted from a value masked (CI logs may be
    public: privacy.py), control characters escaped (they must not drive a terminal: characters.py)."""
    return escape(mask_ids(text))


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(problem: Problem) -> str:
    """A GitHub Actions workflow command: shown inline on the changed line of a pull request."""
    what = f"{problem.field}: {problem.message}" if problem.field else problem.message
    props = ",".join(
        (
            f"file={_escape_property(problem.path)}",
            f"line={problem.line}",
            f"col={problem.column}",
            f"title={_escape_property(problem.rule)}",
        )
    )
    return shown(f"::{problem.level} {props}::{_escape_data(what)}")


def as_dict(problem: Problem) -> dict:
    return {
        "path": mask_ids(problem.path),
        "line": problem.line,
        "column": problem.column,
        "level": problem.level,
        "field": mask_ids(problem.field),
        "message": mask_ids(problem.message),
        "rule": problem.rule,
    }


FORMATS = ("text", "github", "json")


class BuildError(Exception):
    """A step after checking failed (MkDocs, Pagefind, the output scan); the published site is untouched."""
