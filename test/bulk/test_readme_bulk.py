"""The README's "Bulk jobs" section stays true: its Python example runs against the fake, its
command lines parse, the options it names exist, and the error it quotes is the one given."""

import os
import re
import shlex
import sys

import pytest

from talon_one import cli

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
    SECTION = handle.read().split("## Bulk jobs", 1)[1].split("\n## ", 1)[0]


def blocks(language):
    """The section's code blocks in `language`, with whether the line before the fence says "not run"."""
    found = []
    for match in re.finditer(r"(^[^\n]*\n)?```%s\n(.*?)```" % language, SECTION, re.S | re.M):
        found.append(((match.group(1) or "").startswith("<!-- not run"), match.group(2)))
    return found


def command_lines():
    lines = []
    for _, block in blocks("sh"):
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("talon-one "):
                lines.append(line)
            elif ") talon-one " in line:  # a case branch of the cron script
                lines.append(line.split(") ", 1)[1].split(";;")[0].strip())
    return lines


def test_the_python_example_runs_against_the_fake(capsys):
    runnable = [code for not_run, code in blocks("python") if not not_run]
    assert runnable
    for code in runnable:
        exec(compile(code, "README.md Bulk jobs", "exec"), {})
    assert "profiles sync: 2500 rows read, 2500 sent, 2500 accepted, 0 failed, 0 invalid" in capsys.readouterr().out


def test_every_command_line_parses():
    lines = command_lines()
    assert len(lines) >= 9
    parser = cli.build_parser()
    for line in lines:
        words = shlex.split(line.split(" #", 1)[0].split(" < ", 1)[0])
        args = parser.parse_args(words[1:])
        assert args.group, line


def test_the_flags_in_the_section_are_accepted_by_the_commands(capsys):
    usage = ""
    parser = cli.build_parser()
    for group, command in cli._BULK_COMMANDS:
        with pytest.raises(SystemExit):
            parser.parse_args([group, command, "--help"])
        usage += capsys.readouterr().out
    named = set(re.findall(r"`(--[a-z-]+)", SECTION))
    assert {"--dry-run", "--skip-invalid", "--workers", "--chunk-size", "--start-at", "--report", "--progress",
            "--run-rule-engine", "--yes", "--format"} <= named
    for flag in named:
        assert flag in usage, flag


def test_the_quoted_progress_error_is_the_one_given(monkeypatch, capsys, tmp_path):
    quoted = re.search(r"without tqdm it exits 2 with\s+`([^`]+)`", SECTION).group(1)
    monkeypatch.setitem(sys.modules, "tqdm", None)
    path = tmp_path / "rows.jsonl"
    path.write_text('{"integrationId": "a"}\n')
    assert cli.main(["profiles", "sync", str(path), "--progress", "bar", "--dry-run"]) == 2
    assert quoted in capsys.readouterr().err
