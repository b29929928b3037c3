"""Placeholder: security headers, body limits and rate limiting are added by their issue."""

from __future__ import annotations

from fastapi import FastAPI

from api.settings import Settings


def install(app: FastAPI, settings: Settings) -> None:
    return None
