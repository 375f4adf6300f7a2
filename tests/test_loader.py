"""Tests of the safe scenario loader, ``extends`` presets, overrides and error messages.

Every bad input must raise :class:`SimInputError` whose message names where the problem is (field
path or line), the value found and what was expected. Presets come from ``tests/fixtures``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sim.errors import SimInputError
from sim.scenario import (
    Scenario,
    apply_overrides,
    dump_scenario,
    extends,
    list_presets,
    load_comparison,
    load_scenario,
    loader,
    preset_path,
    scenario_json_schema,
    yamlsafe,
)
from sim.scenario.loader import EMPTY_MESSAGE, MAX_BYTES, parse_yaml, read_yaml

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = FIXTURES / "scenarios"


def raises(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    """Call ``fn`` expecting a SimInputError; return its message."""
    with pytest.raises(SimInputError) as info:
        fn(*args, **kwargs)
    return str(info.value)


def write(tmp_path: Path, text: str | bytes, name: str = "scenario.yaml") -> Path:
    """Write ``text`` to ``tmp_path / name`` and return the path."""
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def load_text(tmp_path: Path, text: str, overrides: tuple[str, ...] = ()) -> Scenario:
    """Load a scenario from YAML text written to a temporary file."""
    return load_scenario(write(tmp_path, text), overrides, root=ROOT)


def load_error(tmp_path: Path, text: str, overrides: tuple[str, ...] = ()) -> str:
    """The error message of loading scenario YAML text that must fail."""
    return raises(load_text, tmp_path, text, overrides)


# --------------------------------------------------------------------------------------------
# YAML syntax and file-level refusals
# --------------------------------------------------------------------------------------------


def test_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    """A YAML syntax error is reported with its line and column."""
    msg = load_error(tmp_path, "name: x\nrun:\n  days: [1, 2\nmarket: {}\n")
    assert "scenario.yaml" in msg
    assert "line 4, column 7" in msg
    assert "invalid YAML" in msg and "flow sequence on line 3" in msg


def test_tab_indentation_is_explained(tmp_path: Path) -> None:
    """Tabs used for indentation get a plain explanation and a line."""
    msg = load_error(tmp_path, "run:\n\tdays: 5\n")
    assert "line 2, column 1" in msg
    assert "tab" in msg and "spaces" in msg


def test_anchor_is_refused(tmp_path: Path) -> None:
    """Anchors are refused at their position."""
    msg = load_error(tmp_path, "name: &n x\ndescription: y\n")
    assert "line 1, column 7" in msg
    assert "anchor '&n' is not allowed" in msg


def test_alias_is_refused(tmp_path: Path) -> None:
    """Aliases are refused at their position."""
    msg = load_error(tmp_path, "name: x\ndescription: *n\n")
    assert "line 2, column 14" in msg
    assert "alias '*n' is not allowed" in msg


def test_merge_key_is_refused(tmp_path: Path) -> None:
    """Merge keys (``<<``) are refused even without an alias."""
    msg = load_error(tmp_path, "run:\n  <<: {days: 5}\n")
    assert "line 2, column 3" in msg
    assert "merge key '<<' is not allowed" in msg


def test_alias_bomb_fails_while_composing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A billion-laughs document fails at its first anchor, before any construction."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")

    def never(*args: Any) -> Any:
        raise AssertionError("construction reached: the bomb was not stopped while composing")

    monkeypatch.setattr(loader.ScenarioLoader, "construct_document", never)
    msg = raises(parse_yaml, "\n".join(lines), "bomb.yaml")  # refused at the first anchor, before composing
    assert "bomb.yaml: line 1, column 4: anchor '&a' is not allowed" in msg


def test_oversize_file_is_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 20 MB file is refused from its size alone, without parsing."""
    path = tmp_path / "huge.yaml"
    with path.open("w", encoding="utf-8") as handle:
        line = "k" * 96 + ": 1\n"  # 100 bytes
        handle.write(line * 200_000)

    def never(*args: Any) -> Any:
        raise AssertionError("parsed an oversize file")

    monkeypatch.setattr(yamlsafe, "parse_yaml", never)
    msg = raises(read_yaml, path)
    assert "huge.yaml" in msg
    assert "20,000,000 bytes" in msg and f"capped at {MAX_BYTES:,} bytes" in msg


def test_oversize_text_is_refused() -> None:
    """Oversize text passed directly is refused as well."""
    msg = raises(parse_yaml, "a: 1\n" * (MAX_BYTES // 5 + 1), "big.yaml")
    assert f"capped at {MAX_BYTES:,} bytes" in msg


def test_binary_file_is_refused(tmp_path: Path) -> None:
    """A binary file (PNG header) is refused as binary."""
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10"
    msg = load_error(tmp_path, png)  # type: ignore[arg-type]
    assert "line 3: the file contains a NUL byte" in msg and "binary" in msg


def test_nul_byte_is_refused(tmp_path: Path) -> None:
    """A NUL byte in an otherwise textual file is refused with its line."""
    msg = raises(read_yaml, write(tmp_path, b"name: x\ndescription: a\x00b\n"))
    assert "line 2: the file contains a NUL byte" in msg and "binary" in msg


def test_utf16_is_refused(tmp_path: Path) -> None:
    """UTF-16 text is refused with a hint to save as UTF-8."""
    msg = raises(read_yaml, write(tmp_path, "name: x\n".encode("utf-16")))
    assert "line 1: the file is UTF-16 text; save it as UTF-8" in msg


def test_invalid_utf8_is_refused(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 are refused with the byte and line."""
    msg = raises(read_yaml, write(tmp_path, b"name: caf\xe9\n"))
    assert "line 1" in msg and "not UTF-8" in msg and "0xe9" in msg


def test_control_character_is_refused() -> None:
    """Control characters are refused with their position."""
    msg = raises(parse_yaml, "name: a\x07b\n", "s.yaml")
    assert "line 1, column 8" in msg and "'\\x07' is not allowed" in msg


@pytest.mark.parametrize("text", ["", "   \n\n  ", "# only a comment\n# and another\n", "---\n"])
def test_empty_file_is_refused(tmp_path: Path, text: str) -> None:
    """Empty, blank, comment-only and null documents give the empty-file message."""
    msg = raises(read_yaml, write(tmp_path, text))
    assert msg.endswith(EMPTY_MESSAGE)
    assert EMPTY_MESSAGE == "the file is empty, expected a mapping with keys such as name, run, market, brands"


def test_top_level_list_is_refused(tmp_path: Path) -> None:
    """The top level must be a mapping."""
    msg = load_error(tmp_path, "- name: x\n- name: y\n")
    assert "line 1: the top level must be a mapping" in msg and "found a list" in msg


def test_second_document_is_refused() -> None:
    """Only one YAML document per file is accepted."""
    msg = raises(parse_yaml, "name: x\n---\nname: y\n", "s.yaml")
    assert "line 2" in msg and "single document" in msg


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("name: !!python/object/apply:os.system ['echo hi']\n", "!!python/object/apply:os.system"),
        ("name: !!str 5\n", "!!str"),
        ("name: !custom x\n", "!custom"),
    ],
)
def test_tags_are_refused(tmp_path: Path, text: str, tag: str) -> None:
    """Every explicit tag is refused, including harmless ones."""
    msg = load_error(tmp_path, text)
    assert "line 1, column 7" in msg
    assert f"tag '{tag}' is not allowed" in msg


def test_duplicate_key_names_both_lines(tmp_path: Path) -> None:
    """Duplicate keys are refused naming the key and both lines."""
    msg = load_error(tmp_path, "name: x\nrun:\n  days: 5\n  seed: 1\n  days: 6\n")
    assert "line 5" in msg
    assert "duplicate key 'days': first on line 3, again on line 5" in msg


def test_huge_integer_is_refused() -> None:
    """Integers too long for Python's conversion are refused, not crashed on."""
    msg = raises(parse_yaml, "run:\n  seed: " + "9" * 5000 + "\n", "s.yaml")
    assert "line 2, column 9" in msg and "has too many digits" in msg


def test_complex_key_is_refused() -> None:
    """Lists and mappings used as keys are refused."""
    msg = raises(parse_yaml, "? [a, b]\n: 1\n", "s.yaml")
    assert "line 1" in msg and "keys must be plain names" in msg


def test_deep_nesting_is_refused() -> None:
    """Block nesting deeper than the cap is refused at the offending line."""
    text = "".join("  " * i + f"k{i}:\n" for i in range(60)) + "  " * 60 + "x: 1\n"
    msg = raises(parse_yaml, text, "deep.yaml")
    assert "line 40" in msg and "nesting is too deep: the limit is 40 levels" in msg


def test_deep_flow_nesting_fails_fast() -> None:
    """Very deep flow nesting stops at the depth cap without a RecursionError.

    Not a timed test: the error is raised at the 41st bracket (column 43), so the other 19,959 levels are
    never parsed.
    """
    msg = raises(parse_yaml, "a: " + "[" * 20_000 + "]" * 20_000, "deep.yaml")
    assert "line 1, column 43" in msg and "nesting is too deep" in msg


def test_node_count_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Documents with more nodes than the cap are refused."""
    monkeypatch.setattr(yamlsafe, "MAX_NODES", 50)
    msg = raises(parse_yaml, "a: [" + ", ".join(["1"] * 60) + "]\n", "many.yaml")
    assert "too many values: the limit is 50 per file" in msg and "line 1" in msg


# --------------------------------------------------------------------------------------------
# Scalars (YAML 1.2 core schema)
# --------------------------------------------------------------------------------------------


def test_scalar_rules() -> None:
    """Scalars follow the YAML 1.2 core schema."""
    doc = parse_yaml(
        "a: 1e3\nb: 2.5e-4\nc: -1E6\nd: no\ne: yes\nf: on\ng: true\nh: 0123\ni: 2024-01-01\nj: ~\nk: '1e3'\n",
        "s.yaml",
    )
    assert doc == {
        "a": 1000.0,
        "b": 0.00025,
        "c": -1_000_000.0,
        "d": "no",
        "e": "yes",
        "f": "on",
        "g": True,
        "h": 123,
        "i": "2024-01-01",
        "j": None,
        "k": "1e3",
    }
    assert isinstance(doc["a"], float)


def test_exponent_float_reaches_the_scenario(tmp_path: Path) -> None:
    """Exponent floats are numbers; whole floats are accepted for integer fields."""
    s = load_text(tmp_path, "run:\n  population: 1e4\nmarket:\n  platforms:\n    cpm_base: 1e3\n")
    assert s.market.platforms.cpm_base == 1000.0
    assert s.run.population == 10_000 and isinstance(s.run.population, int)


def test_fractional_float_for_integer_field(tmp_path: Path) -> None:
    """A fractional value for an integer field is an error."""
    msg = load_error(tmp_path, "run:\n  days: 30.5\n")
    assert "run.days: must be a whole number" in msg and "(found 30.5)" in msg


@pytest.mark.parametrize("word", ["no", "yes", "on", "off"])
def test_yes_no_words_are_not_booleans(tmp_path: Path, word: str) -> None:
    """yes/no/on/off stay strings, so boolean fields reject them."""
    msg = load_error(tmp_path, f"brands:\n  - strategy:\n      compliance:\n        respect_opt_in: {word}\n")
    assert "brands.0.strategy.compliance.respect_opt_in: must be true or false" in msg
    assert f"(found '{word}')" in msg


@pytest.mark.parametrize(("text", "found"), [(".nan", "nan"), (".inf", "inf"), ("-.inf", "-inf")])
def test_nan_and_inf_are_rejected(tmp_path: Path, text: str, found: str) -> None:
    """.nan and .inf parse as floats and are rejected by validation."""
    msg = load_error(tmp_path, f"market:\n  platforms:\n    cpm_base: {text}\n")
    assert "market.platforms.cpm_base: must be a finite number" in msg
    assert f"(found {found})" in msg


# --------------------------------------------------------------------------------------------
# Validation messages
# --------------------------------------------------------------------------------------------


def test_unknown_key_suggests_budget(tmp_path: Path) -> None:
    """A misspelt key gets a suggestion matched on a part of a field name."""
    msg = load_error(tmp_path, "brands:\n  - strategy:\n      acquisition:\n        budgett: 1000\n")
    assert (
        "brands.0.strategy.acquisition.budgett: unknown key 'budgett'. Did you mean 'ad_budget_per_day'? (found 1000)"
    ) in msg


def test_unknown_key_suggests_per_week(tmp_path: Path) -> None:
    """A misspelt key gets the closest field name."""
    msg = load_error(tmp_path, "brands:\n  - strategy:\n      messaging:\n        per_weak: 3\n")
    assert "brands.0.strategy.messaging.per_weak: unknown key 'per_weak'. Did you mean 'per_week'?" in msg


def test_unknown_key_in_dict_of_models(tmp_path: Path) -> None:
    """Suggestions work inside dictionaries of models (market tools)."""
    msg = load_error(tmp_path, "market:\n  extends: markets/tiny\n  tools:\n    line:\n      cost_per_msg: 1\n")
    assert "market.tools.line.cost_per_msg: unknown key 'cost_per_msg'. Did you mean 'cost_per_message'?" in msg


def test_unknown_key_inside_distribution_hides_union_tag(tmp_path: Path) -> None:
    """Inside a distribution the union tag is not shown in the path."""
    msg = load_error(tmp_path, "market:\n  segments:\n    - name: a\n      basket: {dist: lognormal, cvv: 1}\n")
    assert "market.segments.0.basket.cvv: unknown key 'cvv'. Did you mean 'cv'?" in msg
    assert "lognormal.cvv" not in msg


def test_unknown_distribution_name(tmp_path: Path) -> None:
    """An unknown ``dist`` lists the valid names and suggests one."""
    msg = load_error(tmp_path, "market:\n  segments:\n    - name: a\n      basket: {dist: lognormall}\n")
    assert "market.segments.0.basket.dist: must be one of 'fixed', 'uniform', 'beta', 'gamma', 'lognormal'" in msg
    assert "Did you mean 'lognormal'?" in msg and "(found 'lognormall')" in msg


def test_non_ascii_key_lists_valid_keys(tmp_path: Path) -> None:
    """A key with no close match lists the valid keys."""
    msg = load_error(tmp_path, "市场: 1\n")
    assert "市场: unknown key '市场'. Valid keys here: name, description, run, market, brands (found 1)" in msg


def test_string_for_number(tmp_path: Path) -> None:
    """Text given for a number is an error."""
    msg = load_error(tmp_path, "brands:\n  - strategy:\n      messaging:\n        per_week: five\n")
    assert "brands.0.strategy.messaging.per_week: must be a number (found 'five')" in msg


def test_quoted_number_is_not_coerced(tmp_path: Path) -> None:
    """Quoted numbers are text: validation is strict."""
    msg = load_error(tmp_path, "run:\n  seed: '7'\n")
    assert "run.seed: must be a whole number (found '7')" in msg


def test_probability_above_one(tmp_path: Path) -> None:
    """Bounds errors state the limit and the unit."""
    msg = load_error(
        tmp_path,
        "market:\n  platforms:\n    ad_effectiveness: 1.2\n"
        "brands:\n  - strategy:\n      messaging:\n        quality: 1.5\n",
    )
    assert "market.platforms.ad_effectiveness: must be at most 1 (a probability, range 0 to 1) (found 1.2)" in msg
    assert "brands.0.strategy.messaging.quality: must be at most 1 (a score from 0 to 1) (found 1.5)" in msg


def test_negative_cost(tmp_path: Path) -> None:
    """A negative cost is reported with its unit."""
    msg = load_error(tmp_path, "market:\n  tools:\n    member_site:\n      cost_per_message: -0.1\n")
    assert "market.tools.member_site.cost_per_message: must be at least 0 (in currency / message) (found -0.1)" in msg


def test_bad_choice_suggests(tmp_path: Path) -> None:
    """A wrong choice lists the options and suggests one."""
    msg = load_error(tmp_path, "market:\n  regime:\n    kind: explicit\n")
    assert "market.regime.kind: must be one of 'explicit_opt_in', 'consent_at_join'" in msg
    assert "Did you mean 'explicit_opt_in'? (found 'explicit')" in msg


def test_union_field_wrong_type(tmp_path: Path) -> None:
    """Errors of both union members are joined into one message."""
    msg = load_error(tmp_path, "brands:\n  - strategy:\n      pool:\n        tool: 5\n")
    assert "brands.0.strategy.pool.tool: must be text or a list (found 5)" in msg


def test_model_validator_message_has_model_path(tmp_path: Path) -> None:
    """Model validator messages carry the model's path."""
    msg = load_error(
        tmp_path, "market:\n  segments:\n    - name: a\n      purchase_rate: {dist: uniform, low: 2, high: 1}\n"
    )
    assert "market.segments.0.purchase_rate: high (1.0) must be at least low (2.0)" in msg


def test_cross_check_message(tmp_path: Path) -> None:
    """Scenario-level checks are reported in their own words."""
    msg = load_error(tmp_path, "brands:\n  - name: a\n  - name: a\n")
    assert "brand names must be unique; found ['a', 'a']" in msg


def test_multiple_errors_are_reported_together(tmp_path: Path) -> None:
    """Every problem is reported in a single error."""
    with pytest.raises(SimInputError) as info:
        load_text(tmp_path, "run:\n  days: 0\n  seed: x\nbrands:\n  - strategy:\n      messaging: {quality: 2}\n")
    problems = {p.path: p for p in info.value.problems}
    assert set(problems) == {"run.days", "run.seed", "brands.0.strategy.messaging.quality"}
    assert problems["run.days"].message == "must be at least 1 (in days, range 1 to 3650)"
    assert problems["run.days"].value == "0"
    assert str(info.value).splitlines()[0].endswith("scenario.yaml: 3 problems")


# --------------------------------------------------------------------------------------------
# extends
# --------------------------------------------------------------------------------------------


def test_extends_deep_merges_presets() -> None:
    """Presets are deep-merged under local keys."""
    s = load_scenario(ROOT / "tiny_scenario.yaml", root=ROOT)
    assert s.market.name == "tiny" and s.market.currency == "JPY"  # from the preset
    assert s.market.represents == 50.0  # local key wins
    assert [seg.name for seg in s.market.segments] == ["young", "old"]
    assert s.market.regime.kind == "explicit_opt_in" and s.market.regime.breach.fine == 500_000
    assert s.market.regime.breach.trust_shock == 0.2  # schema default below a merged mapping
    messaging = s.brands[0].strategy.messaging
    assert (messaging.per_week, messaging.quality, messaging.segments) == (3.0, 0.6, ["young"])


def test_extends_lists_replace_and_scalars_override() -> None:
    """Lists replace, mappings merge key by key."""
    doc = {"market": {"extends": "markets/tiny", "segments": [{"name": "solo"}], "tools": {"line": {"reach": 0.5}}}}
    s = load_scenario(doc, root=ROOT)
    assert [seg.name for seg in s.market.segments] == ["solo"]
    assert s.market.tools["line"].reach == 0.5 and s.market.tools["line"].cost_per_message == 0.5
    assert set(s.market.tools) == {"line", "member_site"}


def test_multiple_extends_merge_left_to_right() -> None:
    """Several presets merge left to right, local keys last."""
    strategy = {"extends": ["strategies/basic", "strategies/loud"], "messaging": {"quality": 0.9}}
    doc = {"brands": [{"strategy": strategy}], "market": {"extends": "markets/tiny"}}
    st = load_scenario(doc, root=ROOT).brands[0].strategy
    assert st.name == "loud" and st.messaging.per_week == 7.0 and st.messaging.selling_share == 0.8
    assert st.messaging.quality == 0.9 and st.pool.tool == ["line", "member_site"]


def test_extends_is_recursive() -> None:
    """Presets may extend presets."""
    s = load_scenario(ROOT / "other_scenario.yaml", root=ROOT)
    assert s.market.name == "tiny_strict" and s.market.currency == "JPY"
    assert s.market.regime.marketing_opt_in_rate == 0.4 and s.market.regime.consent_friction == 0.7


def test_extends_relative_to_including_file() -> None:
    """References are looked up next to the including file first."""
    s = load_scenario(FIXTURES / "user" / "my_scenario.yaml", root=ROOT)
    assert (s.market.name, s.market.represents, s.market.currency) == ("my market", 20.0, "JPY")


def test_top_level_extends_and_preset_id() -> None:
    """The top level may extend a scenario; a bare preset id loads it."""
    s = load_scenario({"extends": "tiny_scenario", "run": {"days": 5}}, root=ROOT)
    assert s.name == "tiny scenario" and s.run.days == 5 and s.run.population == 1000
    assert load_scenario("tiny_scenario", root=ROOT).run.days == 30
    msg = raises(load_scenario, "tiny_scenaro", root=ROOT)
    assert msg.startswith("tiny_scenaro: file not found, and not a preset either: unknown preset 'tiny_scenaro'.")
    assert "Did you mean 'tiny_scenario'?" in msg


def test_env_var_sets_scenarios_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """SIM_SCENARIOS_DIR sets the default scenarios folder."""
    monkeypatch.setenv("SIM_SCENARIOS_DIR", str(ROOT))
    assert load_scenario({"market": {"extends": "markets/tiny"}}).market.name == "tiny"
    assert list_presets("markets") == {"markets": ["markets/tiny", "markets/tiny_strict"]}


def test_extends_cycle_shows_chain() -> None:
    """A cycle of references is refused with the chain of files."""
    msg = raises(load_scenario, {"brands": [{"strategy": {"extends": "strategies/cycle_a"}}]}, root=ROOT)
    assert "extends cycle: strategies/cycle_a.yaml -> strategies/cycle_b.yaml -> strategies/cycle_a.yaml" in msg
    assert "extends:" in msg and "(found 'strategies/cycle_a')" in msg


def test_extends_depth_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chains of references longer than the cap are refused."""
    monkeypatch.setattr(extends, "MAX_EXTENDS_DEPTH", 2)
    msg = raises(load_scenario, ROOT / "other_scenario.yaml", root=ROOT)
    assert "extends chain is longer than 2 files" in msg and "(found 'markets/tiny')" in msg


def test_extends_fan_out_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fan-out of references cannot multiply the files read without bound."""
    monkeypatch.setattr(extends, "MAX_EXTENDS_LOADS", 20)
    write(tmp_path, "extends: [./b.yaml, ./b.yaml, ./b.yaml, ./b.yaml, ./b.yaml]\n", "a.yaml")
    write(tmp_path, "extends: [./c.yaml, ./c.yaml, ./c.yaml, ./c.yaml, ./c.yaml]\n", "b.yaml")
    write(tmp_path, "name: c\n", "c.yaml")
    msg = load_error(tmp_path, "market:\n  extends: [./a.yaml, ./a.yaml]\n")
    assert "b.yaml: extends.0: too many extends references: more than 20 files read (found './c.yaml')" in msg


def _big_preset(tmp_path: Path, keys: int) -> Path:
    """A valid YAML file of ``keys`` short strings under one key (about 25 bytes a key)."""
    lines = ["x:"] + [f'  k{i}: "aaaaaaaaaaaa"' for i in range(keys)]
    return write(tmp_path, "\n".join(lines) + "\n", "big.yaml")


def test_extends_fan_out_of_a_big_file_is_capped_by_total_bytes(tmp_path: Path) -> None:
    """Twenty references to one 250 kB file are refused at the total-bytes cap, naming the file and the cap.

    Before the cap each reference parsed the file again: twenty references to a 1 MB file took about 50 s of
    CPU to fail (and the 200-file cap allowed about nine minutes).
    """
    big = _big_preset(tmp_path, 10_000)
    assert 200_000 < big.stat().st_size < 300_000
    msg = load_error(tmp_path, "extends:\n" + "  - ./big.yaml\n" * 20)
    assert "the extends tree is too big" in msg and "big.yaml" in msg
    assert f"the cap is {extends.MAX_EXTENDS_BYTES:,} bytes" in msg and "(found './big.yaml')" in msg
    assert "\n" not in msg.strip()


def test_a_file_referenced_many_times_is_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Repeated references to the same file (within the caps) read and parse it once per load."""
    _big_preset(tmp_path, 100)
    read: list[str] = []
    real = extends.read_yaml
    monkeypatch.setattr(extends, "read_yaml", lambda path: read.append(Path(path).name) or real(path))
    msg = load_error(tmp_path, "extends:\n" + "  - ./big.yaml\n" * 10)
    assert "x: unknown key 'x'" in msg
    assert read == ["big.yaml"]


@pytest.mark.parametrize("ref", ["../../etc/passwd", "../../../../../../etc/passwd", "markets/../../x"])
def test_extends_cannot_escape_root(tmp_path: Path, ref: str) -> None:
    """References cannot leave the scenarios folder with ``..``."""
    msg = load_error(tmp_path, f"market:\n  extends: {ref}\n")
    assert "market.extends: reference leaves the scenarios folder" in msg
    assert f"(found '{ref}')" in msg


def test_extends_rejects_absolute_path() -> None:
    """Absolute paths are refused as references."""
    msg = raises(load_scenario, {"market": {"extends": "/etc/passwd"}}, root=ROOT)
    assert "market.extends: absolute paths are not allowed" in msg and "(found '/etc/passwd')" in msg


def test_unknown_preset_lists_available() -> None:
    """An unknown preset lists the available ones of its kind."""
    msg = raises(load_scenario, {"market": {"extends": "markets/tinny"}}, root=ROOT)
    assert "market.extends: unknown preset 'markets/tinny'. Did you mean 'markets/tiny'?" in msg
    assert "Available markets: markets/tiny, markets/tiny_strict (found 'markets/tinny')" in msg


def test_extends_bad_value() -> None:
    """``extends`` must be a reference or a list of references."""
    msg = raises(load_scenario, {"brands": [{"strategy": {"extends": 5}}]}, root=ROOT)
    assert "brands.0.strategy.extends: must be a preset reference" in msg and "(found 5)" in msg


def test_error_in_referenced_file_names_that_file(tmp_path: Path) -> None:
    """Errors inside a referenced file name that file."""
    write(tmp_path, "name: x\nname: y\n", "broken.yaml")
    msg = load_error(tmp_path, "market:\n  extends: ./broken.yaml\n")
    assert "broken.yaml: line 2, column 1: duplicate key 'name'" in msg


# --------------------------------------------------------------------------------------------
# Overrides
# --------------------------------------------------------------------------------------------


def test_overrides_parse_values_and_create_intermediates() -> None:
    """Overrides parse typed values and create missing sections."""
    doc = {"market": {"extends": "markets/tiny"}}
    s = load_scenario(
        doc,
        [
            "run.seed=7",
            "brands.0.strategy.messaging.per_week=5",
            "brands.0.strategy.referral.share_rate=1e-2",
            "brands.0.strategy.compliance.respect_opt_in=false",
            "brands.0.strategy.messaging.segments=[young, old]",
            "brands.0.strategy.acquisition.targeting={young: 2}",
            "market.regime.kind=consent_at_join",
            "name=Brand #1: test",
        ],
        root=ROOT,
    )
    st = s.brands[0].strategy
    assert s.run.seed == 7 and st.messaging.per_week == 5.0 and st.referral.share_rate == 0.01
    assert st.compliance.respect_opt_in is False and st.messaging.segments == ["young", "old"]
    assert st.acquisition.targeting == {"young": 2.0}
    assert s.market.regime.kind == "consent_at_join" and s.market.currency == "JPY"
    assert s.name == "Brand #1: test"
    assert doc == {"market": {"extends": "markets/tiny"}}  # input untouched


def test_apply_overrides_types_and_append() -> None:
    """apply_overrides types values, appends list items and copies its input."""
    doc = {"brands": [{"name": "a"}]}
    out = apply_overrides(doc, ["brands.1.name=b", "run.days=30", "run.x=1e3", "a.b=yes", "a.c=", "a.d={k: [1, 2]}"])
    assert out["brands"] == [{"name": "a"}, {"name": "b"}]
    assert out["run"] == {"days": 30, "x": 1000.0}
    assert out["a"] == {"b": "yes", "c": None, "d": {"k": [1, 2]}}
    assert doc == {"brands": [{"name": "a"}]}


def test_override_index_beyond_end() -> None:
    """An index past the end of a list names the override and the valid range."""
    msg = raises(apply_overrides, {"brands": [{"name": "a"}]}, ["brands.3.name=x"])
    assert "brands.3.name: override 'brands.3.name=x': item 3 is beyond the end of brands" in msg
    assert "which has 1 item(s); use 0 to change it, or 1 to add one" in msg


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("run.seed", "override 'run.seed': must look like PATH=VALUE"),
        ("=7", "override '=7': the path before '=' is empty"),
        ("run..seed=7", "override 'run..seed=7': the path 'run..seed' has an empty part"),
        ("brands.first.name=x", "brands is a list, so 'first' must be an item number"),
        ("run.seed.x=1", "run.seed is 12, not a mapping or a list"),
        ("run.days=[1, 2", "override 'run.days=[1, 2': value line 1"),
        ("name=!!python/object/apply:os.system [ls]", "tag '!!python/object/apply:os.system' is not allowed"),
    ],
)
def test_malformed_overrides(override: str, expected: str) -> None:
    """Malformed overrides are refused with the override quoted."""
    msg = raises(apply_overrides, {"brands": [{}], "run": {"seed": 12}}, [override])
    assert msg.startswith("overrides: ")
    assert expected in msg


def test_override_unknown_key_is_caught_by_validation() -> None:
    """Misspelt override paths get the did-you-mean message."""
    msg = raises(load_scenario, {}, ["brands.0.strategy.messaging.per_weak=3"], root=ROOT)
    assert "brands.0.strategy.messaging.per_weak: unknown key 'per_weak'. Did you mean 'per_week'? (found 3)" in msg


def test_override_can_add_extends() -> None:
    """An override may add an ``extends`` reference."""
    s = load_scenario({}, ["market.extends=markets/tiny"], root=ROOT)
    assert s.market.name == "tiny"


# --------------------------------------------------------------------------------------------
# Schema export, dump and presets
# --------------------------------------------------------------------------------------------


def test_json_schema_export() -> None:
    """The JSON Schema export has the scenario sections."""
    schema = scenario_json_schema()
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["title"] == "Scenario"
    assert "brands" in schema["properties"] and "market" in schema["properties"]
    json.dumps(schema)


def test_dump_load_round_trip(tmp_path: Path) -> None:
    """A dumped scenario loads back equal, including number-like strings."""
    s = load_scenario(
        ROOT / "tiny_scenario.yaml",
        ["name='1e3'", "description=yes", "market.segments.2.name='2024'", "market.segments.2.share=1e-5"],
        root=ROOT,
    )
    text = dump_scenario(s)
    assert text.startswith("name: '1e3'\n")
    again = load_scenario(write(tmp_path, text, "dumped.yaml"), root=ROOT)
    assert again == s
    assert dump_scenario(again) == text


def test_list_presets() -> None:
    """Presets are listed by kind; unknown kinds are refused."""
    found = list_presets(root=ROOT)
    assert found == {
        "markets": ["markets/tiny", "markets/tiny_strict"],
        "strategies": ["strategies/basic", "strategies/cycle_a", "strategies/cycle_b", "strategies/loud"],
        "scenarios": ["other_scenario", "tiny_scenario"],
        "comparisons": ["comparisons/pair"],
        "validation": ["validation/closed_form"],
    }
    msg = raises(list_presets, "market", root=ROOT)
    assert "kind: unknown preset kind; expected one of markets, strategies" in msg and "(found 'market')" in msg


def test_preset_path() -> None:
    """Preset ids map to files; unknown ones list the available presets."""
    assert preset_path("markets/tiny", root=ROOT) == ROOT / "markets" / "tiny.yaml"
    assert preset_path("tiny_scenario", root=ROOT) == ROOT / "tiny_scenario.yaml"
    msg = raises(preset_path, "strategies/bassic", root=ROOT)
    assert "unknown preset 'strategies/bassic'. Did you mean 'strategies/basic'?" in msg
    assert "Available strategies: strategies/basic, strategies/cycle_a" in msg
    assert "not a preset id" in raises(preset_path, "../etc/passwd", root=ROOT)


def test_load_comparison() -> None:
    """A comparison file gives its title, description and scenario ids."""
    title, description, refs = load_comparison("pair", root=ROOT)
    assert (title, description) == ("Tiny pair", "Two tiny scenarios side by side.")
    assert refs == ["tiny_scenario", "other_scenario"]
    assert load_comparison("comparisons/pair", root=ROOT)[2] == refs


def _comparison_root(tmp_path: Path, text: str) -> Path:
    (tmp_path / "comparisons").mkdir()
    write(tmp_path / "comparisons", text, "c.yaml")
    write(tmp_path, "name: a\n", "alpha.yaml")
    return tmp_path


def test_comparison_format_is_strict(tmp_path: Path) -> None:
    """Comparison files reject unknown keys and need their scenarios."""
    root = _comparison_root(tmp_path, "name: c\nscenario: [alpha]\n")
    with pytest.raises(SimInputError) as info:
        load_comparison("c", root=root)
    msg = str(info.value)
    assert "scenarios: is required" in msg
    assert "scenario: unknown key 'scenario'. Did you mean 'scenarios'? (found ['alpha'])" in msg


def test_comparison_unknown_scenario(tmp_path: Path) -> None:
    """Comparisons may only name existing top-level scenarios."""
    root = _comparison_root(tmp_path, "name: c\ndescription: d\nscenarios: [alpha, alpah, beta]\n")
    msg = raises(load_comparison, "c", root=root)
    assert "scenarios.1: unknown scenario. Did you mean 'alpha'? Available scenarios: alpha (found 'alpah')" in msg
    assert "scenarios.2: unknown scenario." in msg and "(found 'beta')" in msg


def test_a_bad_override_is_blamed_on_set_not_on_the_file() -> None:
    """``--set run.population=nan`` on a preset: the message named the preset file, which was not at fault."""
    with pytest.raises(SimInputError) as info:
        load_scenario("japan_in_japan", ["run.population=nan"])
    text = str(info.value)
    assert text.startswith("--set: run.population:") and "japan_in_japan.yaml" not in text
    assert [p.path for p in info.value.problems] == ["run.population"]  # (the dashboard's tables show the path)
    doc = {"extends": "japan_in_japan", "run": {"days": 0}}  # a problem in the document itself keeps its source
    with pytest.raises(SimInputError) as info:
        load_scenario(doc, ["run.population=-3"])
    assert info.value.source == "<scenario>"
