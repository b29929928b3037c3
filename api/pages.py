"""Placeholder: filled in by its issue."""

from __future__ import annotations

from fastapi import APIRouter

from api.settings import Settings
from graph.store import Store


def make_router(store: Store, settings: Settings) -> APIRouter:
    return APIRouter()
