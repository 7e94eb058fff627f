"""The short pass of the race suite (`make races` runs hundreds of trials per race on both
databases): a few trials of every race, each N concurrent requests at one object, on the run's
database. The invariants: at most one winner of an exclusive transition, one event per change
in commit order, unique invoice numbers, no lost metadata key, R9, the rate limits."""

from __future__ import annotations

import os

import pytest

from tests.races.scenarios import RACES, Env

TRIALS = int(os.environ.get("RACE_TRIALS", "2"))


@pytest.mark.parametrize("race", sorted(RACES))
async def test_race_keeps_its_invariants(race: str, app: object, db: object) -> None:
    env = Env(app=app, db=db, clock=app.state.portal.clock)  # type: ignore[attr-defined, arg-type]
    for trial in range(TRIALS):
        problems = await RACES[race](env)
        assert not problems, f"{race}, trial {trial + 1}: {problems}"
