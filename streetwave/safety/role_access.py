"""Fetch a safety role this user may handle, or answer 404 (a missing role and one of another
hub look the same). Every rule comes from hubs.permissions."""

from django.shortcuts import get_object_or_404

from streetwave.hubs.permissions import Asker, require

from .models import SafetyRole


def get_safety_role_for(user: Asker, public_id: str) -> SafetyRole:
    """A role at an action of a hub where `user` may manage safety roles."""
    role: SafetyRole = get_object_or_404(
        SafetyRole.objects.select_related("action", "action__hub", "action__campaign"),
        public_id=public_id,
    )
    require(user, "can_manage_safety_roles", role.action)
    return role
