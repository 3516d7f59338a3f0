"""Every scenario in tests/conformance/scenarios runs on a real Docker Engine and on layerlab;
the normalized transcripts must be equal (see harness.py for what is normalized, and
differences.py for the one list of 20.10-vs-current differences)."""
from __future__ import annotations

import pytest

from .conftest import OUTCOMES
from .harness import Layerlab, Outcome, load_scenarios, parse_scenario, normalize, run_scenario, Result

SCENARIOS = load_scenarios()

pytestmark = pytest.mark.oracle


def test_at_least_40_scenarios():
    assert len(SCENARIOS) >= 40


@pytest.mark.parametrize("sc", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario(sc, conformance_env):
    real, ll, base = conformance_env
    why = Layerlab.available()
    if why:
        OUTCOMES.append(Outcome(sc, [], [], error=why))
        pytest.fail(why)
    outcome = run_scenario(sc, real, ll, base)
    OUTCOMES.append(outcome)
    if not outcome.matched:
        pytest.fail(f"{sc.name}: layerlab differs from docker\n" + "\n".join(map(str, outcome.mismatches)),
                    pytrace=False)


# ---------------------------------------------------------------------- the harness itself
def test_normalize_ids_times_and_diff_order():
    sc = parse_scenario("docker run -d --name c1 bb:1 sleep 1\ndocker ps\ndocker diff c1\n")
    a = [Result("a" * 64 + "\n", "", 0),
         Result("CONTAINER ID   STATUS\naaaaaaaaaaaa   Up 2 seconds\n", "", 0),
         Result("C /b\nA /a\n", "", 0)]
    b = [Result("b" * 64 + "\n", "", 0),
         Result("CONTAINER ID   STATUS\nbbbbbbbbbbbb   Up Less than a second\n", "", 0),
         Result("A /a\nC /b\n", "", 0)]
    assert normalize(sc, a, "/x", set()) == normalize(sc, b, "/y", set())


def test_normalize_keeps_content_digests():
    sc = parse_scenario("docker image inspect bb:1\n")
    good = "5fd5b699310386f3b318a1f9ae6bde03d3c1f9fe324df660842c35da2c70ef6c"
    real = normalize(sc, [Result(f'["sha256:{good}"]\n', "", 0)], "/x", {good})
    wrong = normalize(sc, [Result(f'["sha256:{"c" * 64}"]\n', "", 0)], "/x", {good})
    assert real != wrong


def test_normalize_distinguishes_which_container():
    sc = parse_scenario("docker ps -q\ndocker ps -q\n")
    a = [Result("a" * 12 + "\n", "", 0), Result("b" * 12 + "\n", "", 0)]
    b = [Result("c" * 12 + "\n", "", 0), Result("c" * 12 + "\n", "", 0)]
    assert normalize(sc, a, "/x", set()) != normalize(sc, b, "/x", set())


def test_every_difference_is_used_and_documented():
    from .differences import DIFFERENCES

    used = {c.expect_differ[0] for s in SCENARIOS for c in s.commands if c.expect_differ}
    assert used == set(DIFFERENCES), f"unused: {set(DIFFERENCES) - used}"
    for d in DIFFERENCES.values():
        assert d.old and d.new and d.source
