"""Parameters of /v1/test_helpers/test_clocks."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from app.params.base import ExpandParams, ListParams, Params, Timestamp


class TestClockCreateParams(ExpandParams):
    __test__ = False
    frozen_time: Timestamp
    name: Annotated[str, StringConstraints(max_length=300)] | None = None


class TestClockAdvanceParams(ExpandParams):
    __test__ = False
    frozen_time: Timestamp


class TestClockListParams(ListParams):
    __test__ = False


class TestClockDeleteParams(Params):
    __test__ = False
