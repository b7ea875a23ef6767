"""User administration (admins only): list, create, change role, deactivate and reactivate."""

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import role_required
from ..auth.users import UserError
from ..auth.users import create_user
from ..auth.users import list_users
from ..auth.users import set_active
from ..auth.users import set_role
from ..extensions import db
from ..models import User
from .forms import ActionForm
from .forms import RoleForm
from .forms import UserCreateForm


def _page(create_form, status=200, error=None):
    users = list_users()
    role_forms = {u.id: RoleForm(formdata=None, role=u.role) for u in users}
    return render_template(
        "console/users.html",
        users=users,
        form=create_form,
        role_forms=role_forms,
        action_form=ActionForm(),
        error=error,
    ), status


def _user_or_404(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@role_required("admin")
def users():
    """Every console user with role and state, and the form for a new one."""
    return _page(UserCreateForm(formdata=None))


@role_required("admin")
def user_create():
    """Create a user (audited ``user.create``)."""
    form = UserCreateForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    try:
        user = create_user(
            form.username.data, form.role.data, form.password.data, actor=current_user
        )
    except UserError as exc:
        db.session.rollback()
        return _page(form, 400, error=str(exc))
    db.session.commit()
    flash(_("User %(name)s was created.", name=user.username), "success")
    return redirect(url_for("console.users"))


def _apply(operation, success):
    try:
        operation()
    except UserError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(url_for("console.users"))


@role_required("admin")
def user_role(user_id):
    """Change a user's role (audited ``user.role``)."""
    user = _user_or_404(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Choose one of the roles."), "error")
        return redirect(url_for("console.users"))
    return _apply(
        lambda: set_role(user, form.role.data, actor=current_user),
        _("%(name)s is now: %(role)s.", name=user.username, role=form.role.data),
    )


@role_required("admin")
def user_active(user_id):
    """Deactivate or reactivate a user (audited ``user.deactivate`` / ``user.reactivate``)."""
    user = _user_or_404(user_id)
    form = ActionForm()
    if not form.validate_on_submit() or request.form.get("active") not in ("0", "1"):
        abort(400)
    active = request.form["active"] == "1"
    if user.id == current_user.id and not active:
        flash(_("You cannot deactivate your own account."), "error")
        return redirect(url_for("console.users"))
    message = (
        _("%(name)s can log in again.", name=user.username)
        if active
        else _("%(name)s can no longer log in.", name=user.username)
    )
    return _apply(lambda: set_active(user, active, actor=current_user), message)
