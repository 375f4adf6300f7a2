"""The project's own error types.

Every mistake a user can make (a bad scenario file, an unknown parameter path, a malformed
transaction log) is reported as a :class:`SimInputError`: a short message that names the field,
the value found and what was expected. The CLI and the dashboard show the message and never a
traceback; the CLI exits with status 2.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One problem found in user input.

    Attributes:
        path: Dotted field path (``brands.0.strategy.messaging.per_week``) or a location such as
            ``line 3`` or ``row 17``; empty for the document as a whole.
        message: What is wrong and what was expected.
        value: A short representation of the value found, or ``None`` when not applicable.
    """

    path: str
    message: str
    value: str | None = None

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        found = f" (found {self.value})" if self.value is not None else ""
        return f"{where}{self.message}{found}"


@dataclass
class SimInputError(Exception):
    """Raised for any invalid user input; carries one or more :class:`Problem` entries."""

    source: str
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        head = f"{self.source}: " if self.source else ""
        if len(self.problems) == 1:
            return head + str(self.problems[0])
        lines = [f"{head}{len(self.problems)} problems"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)

    @classmethod
    def single(cls, source: str, path: str, message: str, value: object | None = None) -> SimInputError:
        """Build an error with one problem."""
        return cls(source, [Problem(path, message, None if value is None else short_repr(value))])


def short_repr(value: object, limit: int = 60) -> str:
    """A one-line representation of a user value, cut to ``limit`` characters."""
    text = repr(value)
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 3] + "..."
