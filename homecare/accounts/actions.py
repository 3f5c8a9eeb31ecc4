"""Every write to accounts goes through here: named verb_noun, in a transaction, with the actor.

``acting_user`` is who asked for the change, for the audit history; ``None`` means the system
itself (the ``load_demo`` command). The functions are idempotent so the demo can be loaded
again and again.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify

from homecare.accounts.models import Membership, Organisation

COUNCIL_ONLY_ROLES = {Membership.Role.COMMISSIONER, Membership.Role.BROKER, Membership.Role.FINANCE}


def _audited(instance: Any, acting_user: Any) -> None:
    # simple_history records ``_history_user`` as the author of the next saved version.
    instance._history_user = acting_user


@transaction.atomic
def create_organisation(
    name: str, *, kind: str, slug: str | None = None, acting_user: Any
) -> Organisation:
    """The organisation with ``slug`` (from the name when not given), created or updated."""
    if kind not in Organisation.Kind.values:
        raise ValueError(f"unknown organisation kind {kind!r}")
    slug = slug or slugify(name)
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation and (organisation.name, organisation.kind) == (name, kind):
        return organisation
    organisation = organisation or Organisation(slug=slug)
    organisation.name, organisation.kind = name, kind
    _audited(organisation, acting_user)
    organisation.save()
    return organisation


@transaction.atomic
def add_membership(
    user: Any, organisation: Organisation, role: str, *, acting_user: Any
) -> Membership:
    """Give ``user`` the ``role`` at ``organisation`` (once); the role must fit the organisation."""
    if role not in Membership.Role.values:
        raise ValueError(f"unknown role {role!r}")
    is_council = organisation.kind == Organisation.Kind.COUNCIL
    if (role in COUNCIL_ONLY_ROLES) != is_council:
        raise ValueError(f"the role {role!r} does not belong at a {organisation.kind}")
    membership = Membership.objects.filter(user=user, organisation=organisation, role=role).first()
    if membership:
        return membership
    membership = Membership(user=user, organisation=organisation, role=role)
    _audited(membership, acting_user)
    membership.save()
    return membership


@transaction.atomic
def create_persona(
    username: str,
    *,
    password: str,
    organisation: Organisation | None,
    role: str | None,
    first_name: str = "",
    last_name: str = "",
    acting_user: Any,
) -> Any:
    """A user with ``password`` and, unless ``organisation`` is None, a membership in ``role``.

    Running it again resets the password and names and keeps exactly that one membership, so
    a demo persona always signs in the way the demo says.
    """
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first() or user_model(username=username)
    user.first_name, user.last_name = first_name, last_name
    user.set_password(password)
    user.save()
    wanted = None
    if organisation is not None and role is not None:
        wanted = add_membership(user, organisation, role, acting_user=acting_user)
    for stale in Membership.objects.filter(user=user).exclude(pk=getattr(wanted, "pk", None)):
        _audited(stale, acting_user)
        stale.delete()
    return user
