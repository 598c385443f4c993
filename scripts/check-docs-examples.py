#!/usr/bin/env python3
"""check-docs-examples.py: every example of README.md and docs/*.md runs as written.

The convention (docs/testing.md, "The documentation's examples"):

- A fenced block whose language is ``sh`` (or ``bash``/``shell``) is a
  command block: it is run, whole, by ``bash -e -o pipefail`` with stdin
  from /dev/null, and must exit 0.  Blocks of one file run in order, in one
  scratch directory per file (files written by a block are there for the
  next), each block in a new shell (variables do not carry over).
- ```` ```sh no-run: REASON ```` marks a command block that cannot run here
  (installs packages, needs a second machine, a real TPM, ...).  It is not
  run; the reason is required, and the checker lists every such block with
  it.  Paths of this repository that it names (``./scripts/demo.sh``) must
  still exist.
- A fenced block that is not a command block and follows a command block
  with nothing but blank lines between is that block's shown output: what
  the block printed (stdout and stderr together) must match it after both
  are normalised: runs of 8 or more hex digits with at least one digit
  (checksums, key ids, serials) become <hex>, ISO 8601 times <time>,
  durations ("0.25 s") <n> s; trailing blanks are dropped.  In the shown
  output ``...`` stands for any text within a line, and a line holding only
  ``...`` for any number of lines (none included).  Output shown after a
  no-run block is not compared.
- Every other fenced block (a diagram, a file format, JSON, CMake) is shown
  as it is.

Every relative link [text](path#anchor) of the checked files must name an
existing file (and an existing heading of a Markdown file), and every path
of this repository named in a file (scripts/..., docs/..., src/..., in text
or code) must exist.

The scratch environment each file's blocks see (made once, copied per file):
  a SoftHSM2 token labelled "release" made by softhsm-fixtures/make-token.sh
  (keys rsa2048, rsa4096, ec-p256, ec-p384 with certificates; SOFTHSM2_CONF
  set to it, user PIN 1234 in ./pin), release.der / release.pem (the
  certificate of its rsa2048 key), ima.key.pem / ima.cert.der (an RSA-2048
  key file and its certificate), and ./repo, an archive repository made with
  the ostree CLI: exampleos/x86_64/stable (two commits: a file changed in
  the second), exampleos/x86_64/signed-v1 (the first commit signed with the
  token's rsa2048 key), and `ostree-ima` first on PATH.

Usage: check-docs-examples.py [--bin=PATH] [--make-token=PATH] [--keep] [--list] [FILE.md...]
       check-docs-examples.py --self-test
  --bin=PATH   the ostree-ima binary (default: $OSTREE_IMA_BIN, else
               $BUILD_DIR/ostree-ima, else build/ostree-ima)
  --make-token=PATH  the script that makes the token (default:
               $OSTREE_IMA_MAKE_TOKEN, else softhsm-fixtures/make-token.sh;
               scripts/check-packages.sh gives the installed
               /usr/share/ostree-ima/make-token.sh)
  --keep       keep the scratch directory (its path is printed)
  --list       list the blocks and check links and paths; run nothing
  FILE.md...   check these files only (default: README.md docs/*.md); files
               outside the tree too (the installed /usr/share/doc/ostree-ima/:
               their links are checked where they are, repository paths they
               name against this tree)
  --self-test  check a planted file with one failure of each kind (a
               failing block, output that differs, a bad link, anchor and
               path, a no-run without reason, an unknown marker) and fail
               unless each is reported, and the good blocks pass
Exits 1 naming each failure (file:line of the failing command and of its
block, the block, its output), 0 when every block ran and matched.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMMAND_LANGS = {"sh", "bash", "shell"}
BLOCK_TIMEOUT = 120  # seconds
FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})\s*(.*)$")


class Block:
    def __init__(self, path, line, lang, info, text):
        self.path = path  # relative to ROOT
        self.line = line  # of the opening fence, 1-based
        self.lang = lang
        self.info = info  # the info string after the language
        self.text = text
        self.kind = "shown"  # command, no-run, output, shown
        self.reason = ""
        self.output = None  # the output Block of a command
        self.follows = None  # the command Block an output belongs to

    def where(self):
        return f"{self.path}:{self.line}"


def parse(path):
    """The fenced blocks of a Markdown file, classified; and prose lines."""
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        lines = f.read().split("\n")
    blocks, prose, errors = [], [], []
    i, last_end, previous = 0, -1, None
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            prose.append((i + 1, lines[i]))
            i += 1
            continue
        indent, fence, info = len(m.group(1)), m.group(2), m.group(3).strip()
        start = i
        body = []
        i += 1
        while i < len(lines):
            close = re.match(r"^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$",
                             lines[i])
            if close:
                break
            line = lines[i]
            # Content is indented like its fence (a block inside a list item).
            body.append(line[min(indent, len(line) - len(line.lstrip(" "))):])
            i += 1
        if i == len(lines):
            errors.append(f"{path}:{start + 1}: code block never closed")
        lang, _, rest = info.partition(" ")
        block = Block(path, start + 1, lang, rest.strip(), "\n".join(body) + "\n")
        between = lines[last_end + 1:start] if last_end >= 0 else ["x"]
        adjacent = previous is not None and all(not s.strip() for s in between)
        if lang in COMMAND_LANGS:
            block.kind = "command"
            if block.info.startswith("no-run"):
                block.kind = "no-run"
                m2 = re.match(r"^no-run:\s*(\S.*)$", block.info)
                if not m2:
                    errors.append(f"{block.where()}: 'no-run' needs a reason: ```{lang} no-run: REASON")
                block.reason = m2.group(1) if m2 else ""
            elif block.info:
                errors.append(f"{block.where()}: unknown marker '{block.info}' after ```{lang} "
                              "(only 'no-run: REASON')")
        elif adjacent and previous.kind in ("command", "no-run") and previous.output is None:
            block.kind = "output"
            block.follows = previous
            previous.output = block
        blocks.append(block)
        previous = block
        last_end = i
        i += 1
    return blocks, prose, errors


# ---- links and paths -------------------------------------------------------

def slug(heading):
    """GitHub's anchor for a heading."""
    text = re.sub(r"[`*]|\[([^\]]*)\]\([^)]*\)", lambda m: m.group(1) or "", heading.strip())
    text = text.lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path):
    result = set()
    blocks, prose, _ = parse(path)
    for _, line in prose:
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m:
            result.add(slug(m.group(1)))
    return result


LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
REPO_PATH = re.compile(
    r"(?<![\w/.~$-])(?:\./)?((?:scripts|softhsm-fixtures|docs|src|include|pkcs11|tests|examples|"
    r"completions|bench|cmake|debian|\.ci)/[\w.+*-]+(?:/[\w.+*-]+)*)")


def check_links_and_paths(path, blocks, prose):
    errors = []
    base = os.path.dirname(path)
    for number, line in prose:
        for m in LINK.finditer(re.sub(r"`[^`]*`", "", line)):
            target = m.group(1)
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
                continue
            file_part, _, anchor = target.partition("#")
            resolved = os.path.normpath(os.path.join(base, file_part)) if file_part else path
            if not os.path.exists(os.path.join(ROOT, resolved)):
                errors.append(f"{path}:{number}: link to {target}: {resolved} does not exist")
            elif anchor and resolved.endswith(".md") and anchor not in anchors(resolved):
                errors.append(f"{path}:{number}: link to {target}: no heading '#{anchor}' "
                              f"in {resolved}")
    # In prose a path is one in `code` or one whose name has an extension
    # ("include/exclude" is not a path); in a code block, every one.
    texts = [(n, " ".join(re.findall(r"`([^`]*)`", l)), l) for n, l in prose]
    for b in blocks:
        texts += [(b.line + 1 + k, l, "") for k, l in enumerate(b.text.split("\n"))]
    for number, code, text in texts:
        names = [m.group(1) for m in REPO_PATH.finditer(code)]
        names += [m.group(1) for m in REPO_PATH.finditer(re.sub(r"`[^`]*`", "", text))
                  if "." in os.path.basename(m.group(1).rstrip("."))]
        for rel in names:
            rel = rel.rstrip(".")
            if glob.glob(os.path.join(ROOT, rel)) or os.path.basename(rel) in build_targets():
                continue
            errors.append(f"{path}:{number}: names {rel}, which does not exist")
    return errors


_targets = None


def build_targets():
    """Executables the build makes (bench/ostree-ima-floor names one)."""
    global _targets
    if _targets is None:
        _targets = set()
        for cmake in glob.glob(os.path.join(ROOT, "**", "CMakeLists.txt"), recursive=True):
            with open(cmake, encoding="utf-8") as f:
                _targets.update(re.findall(r"add_executable\(\s*([\w.-]+)", f.read()))
    return _targets


# ---- normalising and comparing output --------------------------------------

def normalise(text):
    text = re.sub(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z", "<time>", text)
    text = re.sub(r"\b\d+(?:\.\d+)? ?(s|ms)\b", r"<n> \1", text)
    text = re.sub(r"\b(?=[0-9a-f]*[0-9])[0-9a-f]{8,}\b", "<hex>", text)
    text = re.sub(r"\b(?=[0-9A-F]*[0-9])[0-9A-F]{8,}\b", "<hex>", text)
    lines = [l.rstrip() for l in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def matches(shown, printed):
    pattern = []
    for line in normalise(shown):
        if line.strip() == "...":
            pattern.append(r"(?:[^\n]*\n)*?")
        else:
            pattern.append(".*?".join(re.escape(part) for part in line.split("...")) + r"\n")
    return re.fullmatch("".join(pattern), "\n".join(normalise(printed)) + "\n") is not None


# ---- the scratch environment -----------------------------------------------

def sh(cmd, cwd, env=None):
    result = subprocess.run(["bash", "-eo", "pipefail", "-c", cmd], cwd=cwd, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        raise SetupError(f"setting up the scratch directory failed:\n{indent(cmd)}"
                         f"  output:\n{indent(result.stdout)}")
    return result.stdout


class SetupError(Exception):
    pass


MAKE_TOKEN = '"$DOCS_MAKE_TOKEN" --force --label=release hsm >/dev/null'

SETUP = r"""
export SOFTHSM2_CONF=$PWD/hsm/softhsm2.conf
cp hsm/pin pin && chmod 0600 pin
cp hsm/certs/rsa2048.der release.der && cp hsm/certs/rsa2048.pem release.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out ima.key.pem 2>/dev/null
openssl req -new -x509 -key ima.key.pem -sha256 -days 3650 -subj "/CN=exampleos IMA" \
    -addext subjectKeyIdentifier=hash -addext basicConstraints=critical,CA:FALSE \
    -addext keyUsage=critical,digitalSignature -addext extendedKeyUsage=codeSigning \
    -outform DER -out ima.cert.der
mkdir -p tree/usr/bin tree/usr/lib/x86_64-linux-gnu tree/usr/lib/debug/usr/lib \
    tree/usr/share/doc/exampleos tree/etc
printf '#!/bin/sh\necho hello\n' > tree/usr/bin/hello
printf '#!/bin/sh\necho "hello, $1"\n' > tree/usr/bin/greet
chmod 0755 tree/usr/bin/hello tree/usr/bin/greet
head -c 40000 /dev/urandom > tree/usr/lib/x86_64-linux-gnu/libexample.so.1.0
ln -s libexample.so.1.0 tree/usr/lib/x86_64-linux-gnu/libexample.so.1
head -c 20000 /dev/urandom > tree/usr/lib/debug/usr/lib/libexample.so.1.0.debug
echo 'exampleos: an example' > tree/usr/share/doc/exampleos/README
printf 'NAME=exampleos\nVERSION_ID=1\n' > tree/etc/os-release
ostree init --repo=repo --mode=archive
ostree commit --repo=repo --branch=exampleos/x86_64/stable --subject='exampleos 1' \
    --owner-uid=0 --owner-gid=0 --tree=dir=tree >/dev/null
ostree-ima sign --repo=repo --key='pkcs11:token=release;object=rsa2048;type=private' \
    --pin-file=pin -q exampleos/x86_64/stable exampleos/x86_64/signed-v1 >/dev/null
printf 'NAME=exampleos\nVERSION_ID=2\n' > tree/etc/os-release
printf '#!/bin/sh\necho hello, world\n' > tree/usr/bin/hello
ostree commit --repo=repo --branch=exampleos/x86_64/stable --subject='exampleos 2' \
    --owner-uid=0 --owner-gid=0 --tree=dir=tree >/dev/null
rm -rf tree
"""


def make_base(scratch, binary, make_token):
    base = os.path.join(scratch, "base")
    os.makedirs(os.path.join(scratch, "bin"))
    os.makedirs(base)
    os.symlink(binary, os.path.join(scratch, "bin", "ostree-ima"))
    env = dict(os.environ)
    for name in ("OSTREE_REPO", "OSTREE_IMA_PIN", "P11_KIT_SERVER_ADDRESS", "OPENSSL_CONF"):
        env.pop(name, None)
    env.update(PATH=os.path.join(scratch, "bin") + ":" + env.get("PATH", "/usr/bin:/bin"),
               ROOT=ROOT, LC_ALL="C.UTF-8")
    token_env = dict(env, DOCS_MAKE_TOKEN=make_token)
    # SoftHSM2 now and then fails a key generation (CKR_FUNCTION_FAILED) under
    # load: one retry, said aloud, as tests/support/tokens.cpp does.
    first = subprocess.run(["bash", "-c", MAKE_TOKEN], cwd=base, env=token_env,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    if first.returncode != 0:
        print("check-docs-examples: make-token.sh failed once, retrying:\n" + indent(first.stdout),
              file=sys.stderr)
        sh(MAKE_TOKEN, base, token_env)
    sh(SETUP, base, env)
    return env


def copy_base(scratch, name, env):
    """A fresh copy of the base environment for one file: its token too."""
    work = os.path.join(scratch, name)
    shutil.copytree(os.path.join(scratch, "base"), work, symlinks=True)
    conf = os.path.join(work, "hsm", "softhsm2.conf")
    with open(conf) as f:
        text = f.read()
    with open(conf, "w") as f:
        f.write(text.replace(os.path.join(scratch, "base"), work))
    file_env = dict(env)
    file_env.pop("ROOT")
    file_env["SOFTHSM2_CONF"] = conf
    return work, file_env


# Traces each command's line number to a file of its own (not the output), so
# that a failure names the line of the block that failed.
TRACE = 'exec {_trace_fd}>>"$_DOCS_TRACE"; BASH_XTRACEFD=$_trace_fd; PS4=\'+${LINENO} \'; set -x\n'


def run_block(block, work, env):
    """(exit code or None on timeout, output, file line of the last command run)."""
    with tempfile.NamedTemporaryFile(prefix="trace-", dir=work) as trace:
        try:
            result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                                     TRACE + block.text], cwd=work,
                                    env=dict(env, _DOCS_TRACE=trace.name),
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, timeout=BLOCK_TIMEOUT)
            code, out = result.returncode, result.stdout
        except subprocess.TimeoutExpired as e:
            code, out = None, (e.stdout or b"") + f"\n(stopped after {BLOCK_TIMEOUT} s)".encode()
        numbers = re.findall(rb"^\++(\d+) ", trace.read(), re.M)
    # Line 1 of the script is TRACE, line k+1 the block's line k.
    line = block.line + int(numbers[-1]) - 1 if numbers else block.line
    return code, out.decode("utf-8", "replace"), line


def run_blocks(blocks, work, env):
    """Runs the command blocks in order; the failures."""
    failures = []
    for b in blocks:
        if b.kind != "command":
            continue
        code, out, line = run_block(b, work, env)
        if code != 0:
            failures.append(f"{b.path}:{line}: exit {code} in the block at {b.where()}"
                            f"\n  command:\n{indent(b.text)}  output:\n{indent(out)}")
        elif b.output and not matches(b.output.text, out):
            failures.append(f"{b.output.where()}: the output shown differs from what "
                            f"{b.where()} printed\n  command:\n{indent(b.text)}"
                            f"  shown:\n{indent(b.output.text)}  printed:\n{indent(out)}")
    return failures


SELF_TEST = """# self-test

[good](#self-test) [bad link](missing.md) [bad anchor](#nowhere)
A path: `scripts/no-such-script.sh`.

```sh
echo one; echo 'key id 4668986a, 0.14 s'
```

```text
one
key id 0123abcd, 12 s
```

```sh
printf 'a\nb\nc\nlast line\n'
```

```text
...
last ...
```

```sh
echo shown wrong
```

```text
shown right
```

```sh
true
false
echo never
```

```sh no-run
./scripts/no-such-demo.sh
```

```sh no-run: needs a TPM
exit 1
```

```sh nonsense
```
"""

# What each failure of SELF_TEST must be reported as (a substring), in order.
SELF_TEST_FAILURES = [
    "self-test.md:42: 'no-run' needs a reason",
    "self-test.md:50: unknown marker 'nonsense'",
    "self-test.md:3: link to missing.md: ",
    "self-test.md:3: link to #nowhere: no heading",
    "self-test.md:4: names scripts/no-such-script.sh",
    "self-test.md:43: names scripts/no-such-demo.sh",
    "self-test.md:32: the output shown differs from what ",
    "self-test.md:38: exit 1 in the block at ",
]


def self_test():
    """The checker on a file with one of each failure, and good blocks."""
    with tempfile.TemporaryDirectory(prefix="ostree-ima-docs-self-test-") as work:
        path = os.path.join(work, "self-test.md")
        with open(path, "w") as f:
            f.write(SELF_TEST)
        blocks, prose, failures = parse(path)
        failures += check_links_and_paths(path, blocks, prose)
        failures += run_blocks(blocks, work, dict(os.environ))
    wrong = len(failures) != len(SELF_TEST_FAILURES)
    for want, got in zip(SELF_TEST_FAILURES, failures):
        wrong = wrong or want not in got
    kinds = [b.kind for b in blocks]
    if kinds != ["command", "output", "command", "output", "command", "output", "command",
                 "no-run", "no-run", "command"]:
        wrong = True
        failures.append(f"blocks classified as {kinds}")
    if wrong:
        print("check-docs-examples: self-test FAILED; reported:\n" + "\n".join(failures) +
              "\nexpected:\n" + "\n".join(SELF_TEST_FAILURES), file=sys.stderr)
        return 1
    print(f"check-docs-examples: self-test: all {len(failures)} planted failures reported")
    return 0


def indent(text):
    return "".join("    | " + l + "\n" for l in text.rstrip("\n").split("\n"))


def main(argv):
    binary, make_token, keep, list_only, files = None, None, False, False, []
    for arg in argv:
        if arg.startswith("--bin="):
            binary = arg[len("--bin="):]
        elif arg.startswith("--make-token="):
            make_token = arg[len("--make-token="):]
        elif arg == "--keep":
            keep = True
        elif arg == "--list":
            list_only = True
        elif arg == "--self-test":
            return self_test()
        elif arg in ("-h", "--help"):
            print(__doc__)
            return 0
        elif arg.startswith("-"):
            print(f"check-docs-examples: unknown option {arg}", file=sys.stderr)
            return 2
        else:
            files.append(os.path.relpath(os.path.abspath(arg), ROOT))
    if not files:
        files = ["README.md"] + sorted(os.path.relpath(p, ROOT)
                                       for p in glob.glob(os.path.join(ROOT, "docs", "*.md")))
    if binary is None:
        binary = os.environ.get("OSTREE_IMA_BIN") or os.path.join(
            ROOT, os.environ.get("BUILD_DIR", "build"), "ostree-ima")
    binary = os.path.abspath(binary)
    make_token = os.path.abspath(make_token or os.environ.get("OSTREE_IMA_MAKE_TOKEN") or
                                 os.path.join(ROOT, "softhsm-fixtures", "make-token.sh"))

    start = time.monotonic()
    failures = []
    parsed = {}
    for path in files:
        blocks, prose, errors = parse(path)
        failures += errors
        failures += check_links_and_paths(path, blocks, prose)
        parsed[path] = blocks

    env = scratch = None
    if not list_only:
        if not os.access(binary, os.X_OK):
            print(f"check-docs-examples: no ostree-ima binary at {binary} (build it, or give "
                  "--bin=PATH or OSTREE_IMA_BIN)", file=sys.stderr)
            return 2
        if not os.access(make_token, os.X_OK):
            print(f"check-docs-examples: no executable make-token.sh at {make_token}",
                  file=sys.stderr)
            return 2
        scratch = tempfile.mkdtemp(prefix="ostree-ima-docs-",
                                   dir=os.environ.get("TMPDIR", "/var/tmp"))
        try:
            env = make_base(scratch, binary, make_token)
        except SetupError as e:
            print(f"check-docs-examples: FAILED {e}", file=sys.stderr)
            if not keep:
                shutil.rmtree(scratch, ignore_errors=True)
            return 1

    no_run = []
    totals = {"command": 0, "no-run": 0, "output": 0, "shown": 0}
    for path in files:
        blocks = parsed[path]
        counts = {k: sum(1 for b in blocks if b.kind == k) for k in totals}
        for k in totals:
            totals[k] += counts[k]
        no_run += [b for b in blocks if b.kind == "no-run"]
        if not list_only and counts["command"]:
            work, file_env = copy_base(scratch, re.sub(r"[^\w.-]", "_", path), env)
            failures += run_blocks(blocks, work, file_env)
        print(f"check-docs-examples: {path}: {counts['command']} command blocks"
              f" ({sum(1 for b in blocks if b.kind == 'command' and b.output)} with output "
              f"to compare), {counts['no-run']} no-run, {counts['shown']} shown as they are")

    for b in no_run:
        print(f"check-docs-examples: no-run {b.where()}: {b.reason}")
    if scratch and not keep:
        shutil.rmtree(scratch, ignore_errors=True)
    elif scratch:
        print(f"check-docs-examples: scratch kept in {scratch}")
    for f in failures:
        print(f"check-docs-examples: FAILED {f}", file=sys.stderr)
    print(f"check-docs-examples: {totals['command']} blocks "
          f"{'listed' if list_only else 'run'} ({totals['output']} outputs), "
          f"{totals['no-run']} no-run, {totals['shown']} shown; {len(failures)} failures; "
          f"{time.monotonic() - start:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
