"""The README is a short user's guide that documents every command, its two set-up commands are the
ones CI runs, its quick start uses only files of the repository, and docs/json.md documents every
JSON schema the commands print."""

from __future__ import annotations

import importlib
import re
import shlex
import subprocess

import pytest
from click.testing import CliRunner

from provenance.cli import cli

from .conftest import ROOT

README_PATH = ROOT / "README.md"
README = README_PATH.read_text(encoding="utf-8")
JSON_DOC = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
MAX_README_BYTES = 15 * 1024
OPTIONS_WITH_VALUES = {
    "--db",
    "--patterns",
    "--sources",
    "--cues",
    "--max-size",
    "--workers",
    "--json",
    "--csv",
    "--report",
    "--rows",
    "--format",
    "--q",
    "--outlet",
    "--since",
    "--until",
    "--page",
    "--per-page",
}
"""Options whose next word is a value; for --json only where the command writes a file (audit)."""
SCHEMA_NAME = re.compile(r"provenance\.[a-z]+/\d+")


def section(title: str) -> str:
    """The text of the README section `## title`, up to the next `## ` heading."""
    return README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def repository_files() -> set[str]:
    """Every file git tracks, and every folder holding one (as `folder/`)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        listed = [
            path.relative_to(ROOT).as_posix()
            for path in ROOT.rglob("*")
            if path.is_file() and ".git" not in path.parts
        ]
    folders = {
        "/".join(path.split("/")[:i]) + "/"
        for path in listed
        for i in range(1, path.count("/") + 1)
    }
    return set(listed) | folders


def paths_read_by_examples(title: str) -> list[str]:
    """The files and folders that the example commands of a README section read, and the repository
    paths its prose names.
    """
    text = section(title)
    paths = []
    for line in re.findall(r"^\$ provenance (.+)$", text, flags=re.MULTILINE) + re.findall(
        r"`provenance ([^`]+)`", text
    ):
        command = None
        skip = False
        for word in shlex.split(line):
            if skip:
                skip = False
            elif word.startswith("-") and word != "-":
                skip = word in OPTIONS_WITH_VALUES and (word != "--json" or command == "audit")
            elif command is None:
                command = word
            elif (
                command == "trace"
                or word.isdigit()
                or word == "-"
                or "|" in word
                or word.rstrip(".").isupper()
            ):
                continue  # a quote, an article id, standard input, a placeholder such as FILE|URL|-
            else:
                paths.append(word)
    paths += re.findall(r"`((?:seeds|tests|bench|docs|provenance)/[^`\s]*)`", text)
    return paths


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"provenance {command}" in README


def test_readme_gives_exactly_two_setup_commands_and_ci_runs_them() -> None:
    setup = README.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.+?)\n```", setup, flags=re.DOTALL)
    assert len(commands) == 2
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in commands:
        assert command.strip() in ci


def test_readme_is_at_most_15_kib() -> None:
    size = len(README_PATH.read_bytes())
    assert size <= MAX_README_BYTES, f"README.md is {size:,} bytes; move detail to docs/"


@pytest.mark.parametrize("title", ["Quick start", "Commands"])
def test_examples_use_only_files_of_the_repository(title: str) -> None:
    paths = paths_read_by_examples(title)
    assert any(path.startswith("seeds/") for path in paths)
    known = repository_files()
    missing = [path for path in paths if path not in known and path.rstrip("/") + "/" not in known]
    assert not missing, (
        f"the README's {title} names files that are not in the repository: {missing}"
    )


def test_readme_links_to_docs_that_exist() -> None:
    links = re.findall(r"\]\((docs/[^)#]+)(?:#[^)]*)?\)", README)
    assert {"docs/json.md", "docs/schema.md", "docs/benchmarks.md", "docs/guide.md"} <= set(links)
    for link in links:
        assert (ROOT / link).is_file(), link


def test_the_architecture_map_is_the_package() -> None:
    architecture = section("Architecture")
    mapped = set(re.findall(r"^  (\w+/|\w+\.py)\s", architecture, flags=re.MULTILINE))
    package = ROOT / "provenance"
    present = {f"{path.parent.name}/" for path in package.glob("*/__init__.py")}
    present |= {
        path.name
        for path in package.glob("*.py")
        if path.name not in ("__init__.py", "__main__.py")
    }
    assert len(present) > 10
    assert mapped == present, (
        f"missing from the map: {sorted(present - mapped)}; not in provenance/: {sorted(mapped - present)}"
    )


def test_library_example_imports_exist() -> None:
    example = re.findall(r"```python\n(.+?)\n```", section("Library use"), flags=re.DOTALL)
    imports = re.findall(
        r"^from (provenance[\w.]*) import (.+)$", "\n".join(example), flags=re.MULTILINE
    )
    assert imports
    for module, names in imports:
        loaded = importlib.import_module(module)
        for name in names.split(","):
            assert hasattr(loaded, name.strip()), f"{module} has no {name.strip()}"


def schema_names_in_help() -> dict[str, set[str]]:
    """The JSON schema names each command's --help mentions."""
    runner = CliRunner()
    found = {}
    for command in sorted(cli.commands):
        result = runner.invoke(cli, [command, "--help"])
        assert result.exit_code == 0, result.output
        found[command] = set(SCHEMA_NAME.findall(result.output))
    return found


def test_every_json_schema_the_help_names_is_documented() -> None:
    named = schema_names_in_help()
    assert any(named.values())
    undocumented = sorted(
        f"provenance {command} --help: {schema}"
        for command, schemas in named.items()
        for schema in schemas
        if f"`{schema}`" not in JSON_DOC
    )
    assert not undocumented, (
        f"the help names schemas that docs/json.md does not document: {undocumented}"
    )


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_json_output_is_documented(command: str) -> None:
    options = {
        option
        for parameter in cli.commands[command].params
        for option in getattr(parameter, "opts", [])
    }
    if "--json" in options:
        assert re.search(rf"^## `{command} --json", JSON_DOC, flags=re.MULTILINE), (
            f"docs/json.md has no section for `{command} --json`"
        )


def schema_names_in_code() -> set[str]:
    """The JSON schema names the package's outputs carry: its strings that are a schema name and nothing else
    (``CHECK_SCHEMA = "provenance.check/2"``, ``{"schema": "provenance.reindex/1"}``), not the help's words about them."""
    literal = re.compile(r'"(provenance\.[a-z]+/\d+)"')
    return {
        name
        for path in (ROOT / "provenance").rglob("*.py")
        for name in literal.findall(path.read_text(encoding="utf-8"))
    }


def test_every_schema_the_code_prints_is_documented() -> None:
    printed = schema_names_in_code()
    assert {"check", "chain", "trace", "audit"} <= {
        name.split(".")[1].split("/")[0] for name in printed
    }
    for schema in printed:
        assert f"`{schema}`" in JSON_DOC, f"docs/json.md does not document {schema}"


def test_docs_name_no_schema_the_code_does_not_print() -> None:
    printed = schema_names_in_code()
    for path in [README_PATH, *sorted((ROOT / "docs").glob("*.md"))]:
        named = set(SCHEMA_NAME.findall(path.read_text(encoding="utf-8")))
        assert named <= printed, (
            f"{path.name} names {sorted(named - printed)}, which no code prints"
        )
