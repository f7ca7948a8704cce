"""The demo-data registry: each app's ``demo.py`` registers steps that ``manage.py demo`` runs in order.

Steps must be idempotent (get-or-create through services), so the command can run on every ``make run``.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class DemoStep:
    name: str
    run: Callable[[], str]
    order: int


_STEPS: dict[str, DemoStep] = {}


def demo_step(name: str, *, order: int = 100) -> Callable:
    """Decorator: register ``function`` (returning a one-line summary) as a demo step."""

    def decorate(function: Callable[[], str]) -> Callable[[], str]:
        _STEPS[name] = DemoStep(name=name, run=function, order=order)
        return function

    return decorate


def demo_steps() -> list[DemoStep]:
    """Every registered step, in order."""
    autodiscover_modules("demo")
    return sorted(_STEPS.values(), key=lambda step: (step.order, step.name))
