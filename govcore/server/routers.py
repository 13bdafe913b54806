"""Every router of the API, in one list: `create_app` includes them in this order."""

from __future__ import annotations

from fastapi import APIRouter

from govcore.server.api import actions, calendar, events, notifications, observations, status, token

ROUTERS: list[APIRouter] = [token.router, status.router, actions.router, observations.router, events.router,
                            notifications.router, calendar.router]
