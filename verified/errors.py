"""The exception types of `verified`.

One root (`VerifiedError`); each concrete error also inherits the matching
built-in (``ValueError``, ``ImportError``) so callers can catch either.
Messages say *what* is wrong and *where* (which agent, row, object, field).
A violated property is never an exception: it is a `CheckResult` with
verdict FAILS.
"""

from __future__ import annotations


class VerifiedError(Exception):
    """Root of every error raised on purpose by this library."""


class InvalidInput(VerifiedError, ValueError):
    """Malformed user data: a float where a rational is required, a row that
    does not sum to 1, an unknown object in a preference, ...

    ``where`` names the place (e.g. ``"profile[2] (agent '3')"``).
    """

    def __init__(self, message: str, where: str | None = None) -> None:
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


class MissingExtra(VerifiedError, ImportError):
    """An optional dependency is not installed; the message gives the exact
    ``pip install 'verified[extra]'`` line."""

    def __init__(self, package: str, extra: str, feature: str) -> None:
        self.package = package
        self.extra = extra
        super().__init__(
            f"{feature} needs the optional package {package!r}, which is not installed. "
            f"Install it with:  pip install 'verified[{extra}]'"
        )


def require_extra(module: str, extra: str, feature: str):  # noqa: ANN201 - returns a module
    """Import an optional module, or raise `MissingExtra` with the install line."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingExtra(module, extra, feature) from exc


class OutOfReach(VerifiedError, RuntimeError):
    """An exact computation would exceed its work budget (for example the exact lottery of a
    random-order mechanism at one profile with many agents in contention, a #P-hard task in
    general: Aziz, Brandt and Brill 2013 for random serial dictatorship). Not bad input: the
    caller reports UNKNOWN with this message as the reason, or skips the profile and says so."""
