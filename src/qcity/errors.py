"""Errors a user can act on.

Each carries one line saying what is wrong and what to do; the CLI prints it and exits with
``exit_code``, the API turns it into a 4xx/5xx JSON body. Anything else reaching a user is a bug.
"""

from __future__ import annotations


class QcityError(Exception):
    """Base class: ``str(error)`` is the one line shown to the user."""

    exit_code = 1
    http_status = 400


class ConfigurationError(QcityError):
    """A setting is malformed or unsafe for the current environment."""

    exit_code = 2


class DatabaseUnreachable(QcityError):
    """The database server could not be reached or refused the connection."""

    exit_code = 3
    http_status = 503


class DatabaseBehind(QcityError):
    """The database schema is older than the code (migrations not applied)."""

    exit_code = 4
    http_status = 503


class InputError(QcityError):
    """A user-supplied file, row or value is invalid; the message names where."""

    exit_code = 2
    http_status = 422


class NotFound(QcityError):
    """A requested record does not exist."""

    http_status = 404
