"""The API's routes, one small module per kind of thing; listed in `govcore.server.routers`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

Code = Annotated[str, Path(pattern=r"^\d{3}$", description="The municipality's three-digit code, e.g. 630.",
                           examples=["630"])]
MUNICIPALITY = "/api/v1/municipalities/{code}"
