#!/usr/bin/env python3
"""check-cli-docs.py: the man page and the bash completion cannot drift from the CLI.

Asks the built binary for its commands (`ostree-ima --help`) and each
command's options (`ostree-ima COMMAND --help`), then checks that

- every option of a command appears, in bold (*--key*), in that command's
  section (## COMMAND) of the man page source; the options before any
  command (and -h/--help) in its GLOBAL OPTIONS section;
- every option of a command is on that command's line of the completion
  script's _ostree_ima_options, and that line names no option the command
  does not have; every command is in the completion's command list.

Exits 1 naming every option that is missing. With --self-test it also
removes one option at a time from copies of both files and fails unless
each removal is caught, so that this check cannot silently pass.

Usage: check-cli-docs.py BINARY MAN_SOURCE COMPLETION [--self-test]
"""
import os
import re
import subprocess
import sys
import tempfile

GLOBAL = ""  # the options before any command


def run_help(binary, command):
    argv = [binary] + ([command] if command != GLOBAL else []) + ["--help"]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"check-cli-docs: {' '.join(argv)} exited {result.returncode}: {result.stderr}")
    return result.stdout


def options_in_help(text):
    """Option names of CLI11's help: the first column of the Options: lines."""
    names = set()
    section = None
    for line in text.splitlines():
        if re.match(r"^[A-Za-z][A-Za-z ]*:\s*$", line):
            section = line.strip().rstrip(":").lower()
            continue
        if section != "options":
            continue
        match = re.match(r"^  (-\S+)", line)
        if match:
            names.update(n for n in match.group(1).split(",") if n.startswith("-"))
    return names


def commands_in_help(text):
    commands = []
    in_section = False
    for line in text.splitlines():
        if re.match(r"^[A-Za-z][A-Za-z ]*:\s*$", line):
            in_section = line.strip().lower() == "subcommands:"
            continue
        match = re.match(r"^  ([a-z][a-z0-9-]*)\s", line)
        if in_section and match:
            commands.append(match.group(1))
    return commands


def man_sections(source):
    """{command: text of its ## section, GLOBAL: the GLOBAL OPTIONS section}."""
    sections = {}
    name = None
    for line in source.splitlines():
        heading = re.match(r"^(#+) (.*)$", line)
        if heading:
            level, title = len(heading.group(1)), heading.group(2).strip()
            if level == 1:
                name = GLOBAL if title == "GLOBAL OPTIONS" else None
            else:
                name = title if title != "GLOBAL OPTIONS" else GLOBAL
            if name is not None:
                sections.setdefault(name, "")
            continue
        if name is not None:
            sections[name] += line + "\n"
    return sections


def completion_lines(source):
    """{command: set of option words} from _ostree_ima_options' case lines."""
    lines = {}
    for match in re.finditer(r"^\s*('[^']*'|[a-z][a-z0-9-]*)\) echo \"([^\"]*)\" ;;", source,
                             re.MULTILINE):
        name = match.group(1).strip("'")
        lines[name] = set(match.group(2).split())
    return lines


def problems(binary_help, man_source, completion_source):
    found = []
    sections = man_sections(man_source)
    completion = completion_lines(completion_source)
    command_list = re.search(r'local commands="([^"]*)"', completion_source)
    completed_commands = set(command_list.group(1).split()) if command_list else set()
    for command, options in binary_help.items():
        shown = command or "(before the command)"
        if command != GLOBAL:
            if command not in sections:
                found.append(f"man page: no section '## {command}'")
            if command not in completed_commands:
                found.append(f"completion: command {command} not in its command list")
        if command not in completion:
            found.append(f"completion: no line for {shown} in _ostree_ima_options")
        for option in sorted(options):
            section = GLOBAL if option in ("-h", "--help") else command
            if f"*{option}*" not in sections.get(section, ""):
                found.append(f"man page: {shown}: {option} is not documented")
            if option not in completion.get(command, set()):
                found.append(f"completion: {shown}: {option} is not completed")
        for extra in sorted(completion.get(command, set()) - options):
            found.append(f"completion: {shown}: {extra} is not an option of the binary")
    return found


def self_test(binary_help, man_source, completion_source):
    """Removing any one option from either file must be caught."""
    failures = []
    for command, options in binary_help.items():
        for option in sorted(options):
            section = GLOBAL if option in ("-h", "--help") else command
            man_sections_text = man_sections(man_source)
            text = man_sections_text.get(section, "")
            broken_man = man_source.replace(text, text.replace(f"*{option}*", "*--gone*"), 1)
            if not problems(binary_help, broken_man, completion_source):
                failures.append(f"self-test: {option} of {command or 'ostree-ima'} removed from "
                                "the man page was not caught")
            line = re.search(r"^\s*%s\) echo \"[^\"]*\" ;;" %
                             re.escape(command if command else "''"), completion_source,
                             re.MULTILINE)
            if line:
                old = line.group(0)
                new = re.sub(r"(?<=[\" ])%s(?=[\" ])" % re.escape(option), "", old)
                broken = completion_source.replace(old, new)
                if not problems(binary_help, man_source, broken):
                    failures.append(f"self-test: {option} of {command or 'ostree-ima'} removed "
                                    "from the completion was not caught")
    return failures


def main():
    args = [a for a in sys.argv[1:] if a != "--self-test"]
    if len(args) != 3:
        sys.exit(__doc__)
    binary, man_path, completion_path = args
    top = run_help(binary, GLOBAL)
    binary_help = {GLOBAL: options_in_help(top)}
    for command in commands_in_help(top):
        binary_help[command] = options_in_help(run_help(binary, command))
    if len(binary_help) < 2 or not all(binary_help.values()):
        sys.exit("check-cli-docs: could not read commands and options from --help: " + top)
    with open(man_path, encoding="utf-8") as f:
        man_source = f.read()
    with open(completion_path, encoding="utf-8") as f:
        completion_source = f.read()
    found = problems(binary_help, man_source, completion_source)
    if "--self-test" in sys.argv:
        found += self_test(binary_help, man_source, completion_source)
    for problem in found:
        print("check-cli-docs: " + problem, file=sys.stderr)
    count = sum(len(o) for o in binary_help.values())
    print(f"check-cli-docs: {len(binary_help) - 1} commands, {count} options checked"
          + ("" if not found else f", {len(found)} problems"))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
