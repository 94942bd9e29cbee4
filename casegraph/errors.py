"""The one exception tree. Every error a user can cause is a CasegraphError;
the CLI turns it into a one-line message, never a traceback."""


class CasegraphError(Exception):
    """Base of every error casegraph raises on purpose."""


class ConfigError(CasegraphError):
    """A setting, URI, mapping file or option is invalid."""


class ModelError(CasegraphError):
    """The graph model (model.yaml) is inconsistent, or something names a label
    or relationship type the model does not declare."""


class StoreError(CasegraphError):
    """The graph database failed or refused a statement."""


class ConnectionFailed(StoreError):
    """The graph database cannot be reached or refused our credentials."""


class QueryError(StoreError):
    """A query is unknown, malformed, or was refused (e.g. a write in a read call)."""


class QueryTimeout(QueryError):
    """A query ran past its time limit and was stopped."""


class ParameterError(QueryError):
    """A query parameter is missing or does not match the type its template declares."""


class LoadError(CasegraphError):
    """An input file cannot be loaded (unreadable, unknown kind, bad rows under --strict)."""


class GenerateError(CasegraphError):
    """The sample-data generator was given impossible options."""


class UserError(CasegraphError):
    """A user account cannot be added or changed: the name is taken or empty, the role
    or user is unknown, or the password is too short."""


class AuthError(CasegraphError):
    """Who is acting could not be established, or they may not do what they asked."""


class PermissionDenied(AuthError):
    """A user's role does not allow an action (the message names both)."""


class AuditError(CasegraphError):
    """The audit log cannot be written, read or exported as asked."""


class CaseError(CasegraphError):
    """A case or alert cannot be changed as asked: unknown case or alert, a status move the
    workflow does not allow (the message names the allowed moves), a missing reason, or a
    remediation target that is not in the case."""


class NotFound(CasegraphError):
    """What was asked for by id does not exist (a case, an alert, a token, a package)."""


class CaseNotFound(CaseError, NotFound):
    """There is no case, alert or group with that id."""


class Conflict(CasegraphError):
    """The request clashes with the state it met: an alert already taken into a case, an
    idempotency key reused for another request or still in progress."""


class AlertTaken(CaseError, Conflict):
    """An alert is already in a case: it goes into one case only, and that case decides it."""


class RequestError(CasegraphError):
    """A law-enforcement request cannot be recorded or changed as asked: a missing field, a
    deadline before receipt, a subject that is not "<Label>:<key>" or "tx:<hash>", a status
    move the desk does not allow (the message names the allowed ones), a decline without a
    reason, a package without a SHA-256."""


class RequestNotFound(RequestError, NotFound):
    """There is no request with that id."""


class FreezeError(CasegraphError):
    """A freeze order cannot be recorded or lifted as asked: a target that is not an account
    or wallet, no amount or asset, neither or both of a request and a case, a lift without a
    reason or of a freeze already lifted."""


class FreezeNotFound(FreezeError, NotFound):
    """There is no freeze with that id."""


class EvidenceError(CasegraphError):
    """An evidence package cannot be built or read as asked: a missing request reference or
    agency, an unusable output folder, or a file that is not a package."""


class DetectionError(CasegraphError):
    """A detection module describes itself inconsistently (an unknown level, domain or risk
    flag, a parameter of a type the catalogue does not know, two detections with one name):
    a bug in that module, reported when the registry loads it."""


def required_text(value: str | None, message: str, error: type[CasegraphError]) -> str:
    """`value` stripped, or `error(message)` when it is blank: the reason a decision, a decline
    or a lift needs, the text of a note."""
    text = (value or "").strip()
    if not text:
        raise error(message)
    return text
