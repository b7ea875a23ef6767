"""The audit log is append-only in the application, enforced in the ORM.

Two listeners on every SQLAlchemy session refuse, with :class:`AuditTampering`, any attempt to
change the ``audit_log`` table through the ORM:

- ``before_flush`` raises when a loaded :class:`AuditEntry` was modified or marked deleted;
- ``do_orm_execute`` raises on an ORM-enabled bulk ``update(AuditEntry)`` or ``delete(AuditEntry)``.

Inserting (``surveyapp.audit.record``) is untouched. Below the ORM, the database itself refuses
raw ``UPDATE`` and ``DELETE`` (and on PostgreSQL ``TRUNCATE``) of ``audit_log`` with triggers
(migration ``93e37e8ed0ff``); only someone who may drop those triggers (the table's owner, a
database administrator) can still change it, so a PostgreSQL deployment should run the app as a
role that does not own the tables.
"""

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..models import AuditEntry


class AuditTampering(RuntimeError):
    """Something tried to modify or delete an audit entry."""


def _before_flush(session, _context, _instances):
    for obj in session.deleted:
        if isinstance(obj, AuditEntry):
            raise AuditTampering(f"audit entry {obj.id} cannot be deleted")
    for obj in session.dirty:
        if isinstance(obj, AuditEntry) and session.is_modified(obj, include_collections=False):
            raise AuditTampering(f"audit entry {obj.id} cannot be changed")


def _do_orm_execute(state):
    if not (state.is_update or state.is_delete):
        return
    for mapper in state.all_mappers:
        if mapper.class_ is AuditEntry:
            raise AuditTampering("audit entries cannot be updated or deleted")


def install():
    """Attach the listeners to every ORM session (idempotent)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "do_orm_execute", _do_orm_execute)
