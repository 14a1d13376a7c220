"""The OpenAPI document names the credentials each route checks, though no `Security(...)` dependency reads them.

FastAPI documents a route's security from the `Security(HTTPBearer(...))` dependencies in
its tree, and resolves each of those dependencies again on every request. The request
contexts of server/deps.py read the credential headers themselves (a booking's CPU, issue
#11), so FastAPI sees no security scheme; this puts them back into the document as FastAPI
would have written them: each scheme under `components.securitySchemes`, and in each
operation one requirement per scheme, in the context's order. Clients generated from the
document, and people reading /docs, see the same API as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.encoders import jsonable_encoder
from fastapi.routing import APIRoute
from fastapi.security.base import SecurityBase

Schemes = Mapping[Callable[..., Any], tuple[SecurityBase, ...]]


def document_security(
    app: FastAPI, routers: Iterable[APIRouter], schemes: Schemes, operation_id: Callable[[APIRoute], str]
) -> None:
    """Let `app.openapi()` add the schemes of the contexts (`schemes`) the routes of `routers`
    depend on; `operation_id` is the app's `generate_unique_id_function`, which finds each
    route's operation in the document."""
    checked = {
        operation_id(route): found
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute) and (found := _schemes_of(route.dependant, schemes))
    }
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _add(generate(), checked)  # generate() keeps the document in app.openapi_schema
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend it


def _schemes_of(dependant: Dependant, schemes: Schemes) -> tuple[SecurityBase, ...]:
    for one in _tree(dependant):
        if one.call is not None and one.call in schemes:
            return schemes[one.call]
    return ()


def _tree(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _tree(sub)


def _add(document: dict[str, Any], checked: Mapping[str, tuple[SecurityBase, ...]]) -> None:
    defined = document.setdefault("components", {}).setdefault("securitySchemes", {})
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for scheme in checked.get(operation.get("operationId", ""), ()):
                defined[scheme.scheme_name] = jsonable_encoder(scheme.model, by_alias=True, exclude_none=True)
                requirement: dict[str, list[str]] = {scheme.scheme_name: []}
                if requirement not in operation.setdefault("security", []):
                    operation["security"].append(requirement)
