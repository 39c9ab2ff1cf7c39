"""hubiC scopes: the perimeters, their rights, and the comma-separated scope strings.

A scope string lists ``perimeter.rights`` items separated by commas, rights being the
letters ``r`` (GET), ``w`` (PUT/POST) and ``d`` (DELETE), as in ``credentials.r,links.drw``.
"""

from __future__ import annotations

# Every perimeter with the rights a client may request and the text the consent page shows,
# in the order of the full scope that clients sent:
# usage.r,account.r,getAllLinks.r,credentials.r,sponsorCode.r,activate.w,sponsored.r,links.drw
PERIMETERS: dict[str, tuple[str, str]] = {
    "usage": ("r", "your storage quota and usage"),
    "account": ("r", "your name and email address"),
    "getAllLinks": ("r", "all your published links, with details"),
    "credentials": ("r", "your files, through OpenStack Swift credentials"),
    "sponsorCode": ("r", "your sponsor code"),
    "activate": ("w", "the activation of your account"),
    "sponsored": ("r", "the people you sponsored"),
    "links": ("drw", "your published links"),
}

# Label of each right letter on the consent page.
RIGHT_NAMES = {"r": "read", "w": "write", "d": "delete"}

# The scope hubiC granted whatever the user checked.
ALWAYS_GRANTED = {"account": {"r"}}

# Every perimeter with every right it offers.
FULL_SCOPE = ",".join(f"{perimeter}.{rights}" for perimeter, (rights, _) in PERIMETERS.items())

Scope = dict[str, set[str]]


class ScopeError(ValueError):
    """A scope string names an unknown perimeter or a right the perimeter does not offer."""


def parse_scope(text: str) -> Scope:
    """Return ``{perimeter: {rights}}`` for a scope string, or raise ``ScopeError``.

    NOTE: hubiC's handling of unknown rights, empty items and spaces is unverified. The
    sandbox rejects them all, so a client that builds a sloppy scope string finds out here.
    """
    scope: Scope = {}
    for item in text.split(","):
        perimeter, dot, rights = item.partition(".")
        offered = PERIMETERS.get(perimeter, ("", ""))[0]
        if not dot or not rights or not set(rights) <= set(offered):
            raise ScopeError(f"invalid scope item {item!r}")
        scope.setdefault(perimeter, set()).update(rights)
    return scope


def format_scope(scope: Scope) -> str:
    """Return the canonical scope string: perimeters in hubiC's order, rights sorted."""
    items = []
    for perimeter in PERIMETERS:
        rights = scope.get(perimeter)
        if rights:
            items.append(f"{perimeter}.{''.join(sorted(rights))}")
    return ",".join(items)


def merge_scopes(*scopes: Scope) -> Scope:
    """Return the union of several scopes."""
    merged: Scope = {}
    for scope in scopes:
        for perimeter, rights in scope.items():
            merged.setdefault(perimeter, set()).update(rights)
    return merged


def allows(scope_text: str, perimeter: str, right: str) -> bool:
    """Return True when the canonical ``scope_text`` grants ``right`` on ``perimeter``."""
    return right in parse_scope(scope_text).get(perimeter, set()) if scope_text else False
