"""Helpers for the apps' sidebar groups (``<app>/navigation.py``)."""

from collections.abc import Callable


def can_view(model_label: str) -> Callable:
    """A permission callable for unfold: whether the user may view ``app_label.model``."""
    app_label, model_name = model_label.split(".")

    def check(request) -> bool:
        return request.user.has_perm(f"{app_label}.view_{model_name}") or request.user.has_perm(
            f"{app_label}.change_{model_name}"
        )

    return check
