"""Every URL pattern of the site, so that access tests cover new pages automatically."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


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
