from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from yaml_helpers import dump_yaml, load_yaml

from review.errors import ProtocolError
from review.protocol import field_keywords, field_values, load_protocol


@pytest.fixture
def default_data(repo_root: Path) -> dict:
    return load_yaml((repo_root / "config" / "protocol.yaml").read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "config" / "protocol.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_yaml(data, allow_unicode=True), encoding="utf-8")
    return path


def test_default_protocol_is_valid_and_complete(repo_root: Path) -> None:
    p = load_protocol(repo_root / "config" / "protocol.yaml")
    assert "UMKM" in p.title
    assert {s["database"] for s in p.sources if s["kind"] == "database"} == {
        "openalex",
        "crossref",
        "semanticscholar",
        "doaj",
    }
    assert p.criteria_codes[0] == "E1-year"
    themes = {t["id"] for t in p.themes}
    assert {
        "volunteers",
        "umkm_community",
        "digital_clinic",
        "smart_village",
        "pahlawan_ekonomi",
        "mentoring_training",
        "collaboration",
    } <= themes
    strategy = next(f for f in p.coding_fields if f["name"] == "strategy")
    assert "desa cerdas" in field_keywords(strategy)["smart_village"]
    assert "volunteers" in field_values(strategy)
    assert len(p.sha256) == 64


def test_missing_key_is_named(tmp_path: Path, default_data: dict) -> None:
    del default_data["title"]
    with pytest.raises(ProtocolError, match=r"\(top level\): 'title' is a required property"):
        load_protocol(write(tmp_path, default_data))


def test_wrong_value_names_the_nested_key_and_allowed_values(
    tmp_path: Path, default_data: dict
) -> None:
    default_data["criteria"][2]["stage"] = "abstract"
    with pytest.raises(ProtocolError, match=r"criteria\[2\]\.stage: 'abstract' is not one of"):
        load_protocol(write(tmp_path, default_data))


def test_database_source_needs_database(tmp_path: Path, default_data: dict) -> None:
    del default_data["sources"][0]["database"]
    with pytest.raises(ProtocolError, match=r"sources\[0\]: 'database' is a required property"):
        load_protocol(write(tmp_path, default_data))


def test_repeated_codes_and_unknown_themes_are_refused(tmp_path: Path, default_data: dict) -> None:
    default_data["criteria"][1]["code"] = default_data["criteria"][0]["code"]
    with pytest.raises(ProtocolError, match=r"criteria\[1\]\.code: 'E1-year' is used twice"):
        load_protocol(write(tmp_path, default_data))
    default_data["criteria"][1]["code"] = "E2-language"
    default_data["synthesis"]["themes"].append({"id": "astrology", "label": "Stars"})
    last = len(default_data["synthesis"]["themes"]) - 1
    with pytest.raises(ProtocolError, match=rf"themes\[{last}\]\.id: 'astrology' is not a value"):
        load_protocol(write(tmp_path, default_data))


def test_invalid_yaml_gives_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "config" / "protocol.yaml"
    path.parent.mkdir(parents=True)
    path.write_text("title: x\nsources: [a, b\n", encoding="utf-8")
    with pytest.raises(ProtocolError, match=r"protocol.yaml, line \d+, column \d+: invalid YAML"):
        load_protocol(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProtocolError, match="protocol file not found"):
        load_protocol(tmp_path / "nope.yaml")


def test_set_aside_and_definitions_are_checked(tmp_path: Path, default_data: dict) -> None:
    from review.setaside import all_set_aside, set_aside_at

    # One reviewer set aside, as written here: the default review's own set-aside entries
    # (amendment A1) are removed first.
    for other in default_data["reviewers"]:
        other.pop("set_aside", None)
    reviewer = default_data["reviewers"][0]
    reviewer["set_aside"] = [
        {"stages": ["full_text", "coding"], "date": date(2026, 12, 1), "reason": "made  too early"}
    ]
    default_data["definitions"] = [
        {"id": "D1", "term": "MSME beneficiary", "text": "A firm that…", "criteria": ["E1-year"]}
    ]
    p = load_protocol(write(tmp_path, default_data))
    # yaml reads an unquoted date as a date: it prints as written.
    assert [(s.reviewer, s.stage, s.date, s.reason) for s in all_set_aside(p)] == [
        (reviewer["id"], "full_text", "2026-12-01", "made too early"),
        (reviewer["id"], "coding", "2026-12-01", "made too early"),
    ]
    assert set(set_aside_at(p, "coding")) == {reviewer["id"]}
    assert set_aside_at(p, "title_abstract") == {}
    assert p.definitions[0]["term"] == "MSME beneficiary"

    reviewer["set_aside"].append({"stages": ["coding"], "date": "2026-12-02", "reason": "again"})
    with pytest.raises(ProtocolError, match=r"reviewers\[0\]\.set_aside\[1\]\.stages: 'coding'"):
        load_protocol(write(tmp_path, default_data))
    reviewer["set_aside"][1]["stages"] = ["synthesis"]
    with pytest.raises(ProtocolError, match=r"set_aside\[1\]\.stages\[0\]: 'synthesis' is not one"):
        load_protocol(write(tmp_path, default_data))
    del reviewer["set_aside"][1]
    default_data["definitions"][0]["criteria"] = ["E99-nothing"]
    with pytest.raises(ProtocolError, match=r"definitions\[0\]\.criteria: 'E99-nothing' is not"):
        load_protocol(write(tmp_path, default_data))
    default_data["definitions"][0]["criteria"] = []
    default_data["definitions"].append(dict(default_data["definitions"][0]))
    with pytest.raises(ProtocolError, match=r"definitions\[1\]\.id: 'D1' is used twice"):
        load_protocol(write(tmp_path, default_data))


def test_every_ranking_model_is_a_protocol_choice_and_no_other(
    tmp_path: Path, default_data: dict
) -> None:
    # The schema spells the models out; a model added to the ranking (svm_rrf_char) must be
    # selectable in the protocol, and a name the ranking does not know must be refused.
    from review.protocol import protocol_schema
    from review.screening.ranking import MODELS

    ranking = protocol_schema()["properties"]["screening"]["properties"]["ranking"]
    assert sorted(ranking["properties"]["model"]["enum"]) == sorted(MODELS)
    default_data["screening"]["ranking"]["model"] = "svm_rrf_char"
    assert load_protocol(write(tmp_path, default_data)).data["screening"]["ranking"]["model"] == (
        "svm_rrf_char"
    )
    default_data["screening"]["ranking"]["model"] = "svm_rrf"
    with pytest.raises(ProtocolError, match="svm_rrf_char"):
        load_protocol(write(tmp_path, default_data))
