"""The house's wiring: ``handlers.wiring`` is the one list of routers, the engine knows no
feature, and the editors' card buttons are typed, packed and parsed in one place."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from handlers import wiring
from handlers.engine.card_actions import CardAction, CardPress, button
from handlers.engine.numbers import MAX_ID
from handlers.engine.router import Router
from handlers.engine.states import PATHS, Step
from handlers.engine.types import CALLBACK_LIMIT

ROOT = Path(__file__).resolve().parents[1]
HANDLERS = ROOT / "handlers"
# The features the issue names; any other package of handlers/ that defines a router is one too.
FEATURES = {"member", "desk", "merging", "privacy", "admin", "reports", "jobs"}


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def imported(path: Path) -> set[str]:
    """Every module a file imports, by its full name."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def router_modules() -> list[str]:
    """The handlers' modules that make a ``Router`` (``Router()`` called anywhere in them)."""
    found = []
    for path in sorted(HANDLERS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
        if any(isinstance(c.func, ast.Name) and c.func.id == "Router" for c in calls):
            found.append(module_name(path))
    return found


def test_the_engine_imports_no_feature() -> None:
    features = FEATURES | {name.split(".")[1] for name in router_modules() if name.count(".") > 1}
    features.discard("engine")
    banned = {f"handlers.{name}" for name in features} | {"handlers.wiring"}
    offenders = {
        path.name: sorted(name for name in imported(path) if name.partition(".")[0] == "handlers"
                          and any(name == b or name.startswith(f"{b}.") for b in banned))
        for path in sorted((HANDLERS / "engine").glob("*.py"))
    }  # fmt: skip
    assert {name: found for name, found in offenders.items() if found} == {}


def test_every_router_is_composed_by_the_wiring_and_only_there() -> None:
    composed = wiring.get_routers()
    makers = [name for name in router_modules() if name not in ("handlers.wiring",)]
    assert "handlers.desk.buttons" in makers and "handlers.privacy.retention" in makers
    for name in makers:
        module = importlib.import_module(name)
        routers = [value for value in vars(module).values() if isinstance(value, Router)]
        if name != "handlers.engine.router":
            assert routers, f"{name} makes a Router but keeps none as a module attribute"
        for router in routers:
            assert any(router is other for other in composed), f"{name}'s router is not composed"
    # No module joins routers behind the wiring's back (a router included by another).
    joining = [
        module_name(path)
        for path in sorted(HANDLERS.rglob("*.py"))
        if ".include(" in path.read_text(encoding="utf-8")
    ]
    assert joining == ["handlers.wiring"]


def test_every_card_action_has_exactly_one_handler() -> None:
    routes = wiring.compose()
    assert set(routes.cards) == set(CardAction)
    with pytest.raises(ValueError, match="registered twice"):
        wiring.compose([*wiring.get_routers(), wiring.get_routers()[-1]])


def test_the_longest_card_button_fits_telegrams_64_bytes() -> None:
    longest_action = max(CardAction, key=lambda action: len(action.value))
    field_names = [step.value for steps in PATHS.values() for step in steps] + ["media"]
    longest_arg = max(field_names, key=len)
    data = CardPress(longest_action, MAX_ID, longest_arg).pack()
    assert len(data.encode()) <= CALLBACK_LIMIT, data
    assert button("x", longest_action, MAX_ID, longest_arg).data == data  # Choice accepts it
    assert CardPress.parse(data) == CardPress(longest_action, MAX_ID, longest_arg)


@pytest.mark.parametrize("action", list(CardAction))
def test_each_press_reads_back_as_it_was_packed(action: CardAction) -> None:
    for press in (CardPress(action, 27), CardPress(action, 27, "thoi_gian")):
        assert CardPress.parse(press.pack()) == press


def test_buttons_of_cards_sent_before_read_as_what_they_meant() -> None:
    assert CardPress.parse("rv:ok:12") == CardPress(CardAction.APPROVE, 12)
    assert CardPress.parse("rv:nr:12:0") == CardPress(CardAction.REJECT_PRESET, 12, "0")
    assert CardPress.parse("rv:mf:3:dia_diem") == CardPress(CardAction.MORE_FIELD, 3, "dia_diem")
    assert CardPress.parse("rv:pk:7:1") == CardPress(CardAction.PERSONAL, 7, "1")
    assert CardPress.parse("rv:mg:2") == CardPress(CardAction.MERGE, 2)


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "gui:0:",  # a member's choice
        "card:approve",  # no submission
        "card:approve:",
        "card:approve:-1",
        "card:approve:١٢",  # digits, but not ASCII ones
        f"card:approve:{MAX_ID + 1}",  # beyond PostgreSQL's integer: forged
        "card:launch:12",  # no such action
        "rv:zz:12",
        "rv:approve:12",  # a new name under the old prefix
        "card:ok:12",  # an old code under the new prefix
        "card:approve:1:" + "x" * 60,  # longer than any button can be
    ],
)
def test_anything_else_is_no_card_press(data: str | None) -> None:
    assert CardPress.parse(data) is None


def test_the_flow_diagram_names_every_step_and_no_other() -> None:
    text = (ROOT / "docs" / "flow.md").read_text(encoding="utf-8")
    diagram = text.split("```mermaid", 1)[1].split("```", 1)[0]
    states: set[str] = set()
    for line in diagram.splitlines():
        arrow, _, _ = line.partition(":")
        if "-->" in arrow:
            states |= {side.strip() for side in arrow.split("-->")} - {"[*]"}
    assert states == {step.value for step in Step}
