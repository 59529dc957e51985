"""Every URL pattern of the site, so that access tests cover new pages automatically, and the
sides of the site a route belongs to, so that a test walks all of one side."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Values for the URL keywords that name no object of ours (an invitation's or reset's link).
DUMMY = {"uidb64": "MQ", "token": "set-password"}

# The client contacts' own pages: the portal's namespace, and the portal's pages that live in
# another app's namespace beside that app's workspace pages.
PORTAL_NAMESPACE = "portal"
PORTAL_ELSEWHERE = frozenset({"reports:portal_download"})
# Pages both sides open, each side only for its own projects: a workspace app's, not workspace.
SHARED = frozenset({"milestones:signoff_certificate"})
# The PM workspace: these apps' namespaces (the portal pages above and the shared ones aside),
# and the workspace's pages outside any namespace.
WORKSPACE_NAMESPACES = frozenset({"projects", "milestones", "reports"})
WORKSPACE_ELSEWHERE = frozenset({"invitation_send"})
# Each signed-in person's own pages, the same on both sides: their profile and password.
PERSONAL = frozenset({"profile", "password_change", "password_change_done"})


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: frozenset[str]

    @property
    def namespace(self) -> str:
        return self.name.rpartition(":")[0]


def routes(
    resolver: URLResolver | None = None, namespace: str = "", kwargs: frozenset[str] = frozenset()
) -> Iterator[Route]:
    for entry in (resolver or get_resolver()).url_patterns:
        names = kwargs | frozenset(getattr(entry.pattern, "converters", {}))
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if entry.namespace != "admin":
                yield from routes(entry, inner, names)
        elif isinstance(entry, URLPattern):
            # A pattern without a name cannot be reversed: it would escape every walk.
            assert entry.name, f"name the URL pattern {namespace}{entry.pattern}"
            yield Route(name=f"{namespace}{entry.name}", kwargs=names)


def is_portal(route: Route) -> bool:
    return route.namespace == PORTAL_NAMESPACE or route.name in PORTAL_ELSEWHERE


def is_shared(route: Route) -> bool:
    return route.name in SHARED


def is_personal(route: Route) -> bool:
    return route.name in PERSONAL


def is_workspace(route: Route) -> bool:
    if is_portal(route) or is_shared(route) or is_personal(route):
        return False
    return route.namespace in WORKSPACE_NAMESPACES or route.name in WORKSPACE_ELSEWHERE


def url_with(route: Route, values: dict[str, object]) -> str:
    missing = route.kwargs - values.keys()
    assert not missing, f"{route.name}: add an object for {sorted(missing)} to project_objects"
    return reverse(route.name, kwargs={name: values[name] for name in route.kwargs})


def snapshot() -> dict[str, list[dict]]:
    """Every row of the product's own tables."""
    labels = {"projects", "milestones", "notifications", "reports"}
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.app_label in labels
    }
