"""(to be written)"""
from __future__ import annotations

from fastapi import APIRouter

from casegraph.api import errors as err

router = APIRouter(tags=["alerts"], responses=err.COMMON)
