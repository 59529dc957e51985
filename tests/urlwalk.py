"""Every URL pattern of the site, so that access tests cover new pages automatically."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: frozenset[str]


def routes(
    resolver: URLResolver | None = None, namespace: str = "", kwargs: frozenset[str] = frozenset()
) -> Iterator[Route]:
    for entry in (resolver or get_resolver()).url_patterns:
        names = kwargs | frozenset(getattr(entry.pattern, "converters", {}))
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if entry.namespace != "admin":
                yield from routes(entry, inner, names)
        elif isinstance(entry, URLPattern) and entry.name:
            yield Route(name=f"{namespace}{entry.name}", kwargs=names)


def url_with(route: Route, values: dict[str, object]) -> str:
    missing = route.kwargs - values.keys()
    assert not missing, f"{route.name}: add an object for {sorted(missing)} to project_objects"
    return reverse(route.name, kwargs={name: values[name] for name in route.kwargs})
