"""What a feature adds to the shared registries, registered by its `init_app`, never on import.

The decorators that name a function for a registry (`@rule`, `@rule_for_many`, `@pull_source`,
`@demo_loader`) only mark it with how it is to be registered; `@command` makes a Command. A
feature's `init_app` then calls `register(commands, permissions, mutations, demo)` with its own
modules, which registers every command and every marked function defined in them. Importing a
module therefore changes nothing, and what an app can do is what its features' init_app said.
Registering the same thing twice (one app per test) is harmless; two different things under one
name is an error of the registry concerned.
"""
from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeVar

from app.commands import Command, add_command

F = TypeVar("F", bound=Callable[..., Any])
# How a marked function is registered: called with the function by register().
How = Callable[[Callable[..., Any]], None]


def registers(how: How) -> Callable[[F], F]:
    """A decorator marking a function to be registered by `how(func)` when its module is registered."""

    def mark(func: F) -> F:
        func.__dict__.setdefault("_registrations", []).append(how)
        return func

    return mark


def register(*sources: ModuleType | Command) -> None:
    """Register the commands and the marked functions defined in each module (or a command given directly)."""
    for source in sources:
        if isinstance(source, Command):
            add_command(source)
            continue
        for value in vars(source).values():
            if isinstance(value, Command) and value.run.__module__ == source.__name__:
                add_command(value)
            elif callable(value) and getattr(value, "__module__", None) == source.__name__:
                for how in getattr(value, "_registrations", ()):
                    how(value)
