#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""mutate.py: seeded mutation testing of indynet's C sources against their unit suites.

Theory of operation

The driver copies the tracked (and untracked, not ignored) files of the
repository to a private tree (build-mutation/tree), configures one Meson build
there (clang with ASan/UBSan by default, like build-asan) and never writes to
the repository itself.  For each source file it lexes the C text (comments,
strings and #include/#if lines are skipped), lists every mutant of five
operators:

  rel    a relational operator swapped:  <  ->  <= / >=,   == -> !=, ...
  arith  an arithmetic or bitwise operator swapped: + <-> -, * -> /, << <-> >>,
         & <-> |, += <-> -=, ++ <-> --
  logic  && <-> ||, a logical ! deleted, true <-> false
  const  an integer constant changed: 0 -> 1, 1 -> 0 / 2, n -> n+1 / n-1
  del    an expression statement (call, assignment, break, ...) deleted

and draws a seeded random sample of them (for a file in REGIONS, of those
inside the functions named there).  A mutant is written into the copy,
the oracle's test executables are rebuilt (a mutant that does not compile is
"stillborn" and does not count; the sample draws another in its place), and
the file's oracle (the unit suites of its module, see ORACLES) runs with a
timeout.  The mutant is killed when a test fails or times out; the copy's
file is restored before the next mutant, whatever happens.

Score = killed / (viable - equivalent).  Equivalent mutants are those listed
in docs/TESTING.md as table rows "| path | id | ... |"; the id is a hash of
the file, the text of the mutated line (or statement), the operator and the
replacement, so it survives unrelated edits that move the line.

Worked example: `--seed 7 --per-file 30 src/core/udp.c` lists the ~100
mutants of udp.c, shuffles them with Random("7:src/core/udp.c") and runs them
in that order until 30 have compiled; the same seed always gives the same 30.
"""

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

# The oracle of each file: regular expressions over Meson test names (the unit
# suites that exercise it; the slow ones that cannot, like core_ring, are left out).
CORE = [r"^core_(parse|frag|reasm|checksum)$"]
NFS_PROTO = [r"^test_(?!fs$)"]  # test_fs drives the file layer directly
ORACLES = {
    "src/core/ipv4.c": CORE,
    "src/core/udp.c": CORE,
    "src/core/reasm.c": CORE,
    "src/nfs/xdr.c": NFS_PROTO,
    "src/nfs/rpc.c": NFS_PROTO,
    "src/nfs/drc.c": NFS_PROTO,
    "src/nfs/fsdir.c": [r"^test_"],
    "src/daemon/framing.c": [r"^daemon-(framing|frontend)$"],
    "src/nic/hpc3_dma.c": [r"^nic-"],
    "src/nic/seeq_regs.c": [r"^nic-"],
    "src/backend/nat_dns.c": [r"^engine_nat"],
    "src/engine/vhost.c": [r"^engine_"],
}
# Files covered once they exist on the branch being measured.
OPTIONAL_ORACLES = {
    "src/daemon/http.c": [r"^daemon-(http|control)$"],
    "src/daemon/http_api.c": [r"^daemon-(http|control)$"],
    "src/daemon/http_token.c": [r"^daemon-(http|control)$"],
    "src/backend/bridge.c": [r"^engine_bridge"],  # engine_bridge_rx captures on lo: run as root
    "src/backend/bridge_seg.c": [r"^engine_bridge"],
    "src/backend/bridge_mac.c": [r"^engine_bridge"],
    "src/backend/bridge_host.c": [r"^engine_bridge"],
    "src/nfs/rpcrec.c": NFS_PROTO,
}

# Files of which only some functions are measured (the rest is another suite's job:
# bridge.c's open, retry and status code needs the namespace tests).
REGIONS = {
    "src/backend/bridge.c": ["br_deliver", "br_frame_limit", "br_wanted", "br_rx", "br_drain"],
}

KEYWORDS = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
    "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
    "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch",
    "typedef", "union", "unsigned", "void", "volatile", "while", "_Bool", "bool",
    "_Static_assert", "static_assert", "_Alignof", "alignof", "__attribute__",
}
TYPE_WORDS = {"char", "int", "long", "short", "signed", "unsigned", "void", "bool", "_Bool",
              "double", "float", "const", "volatile", "struct", "union", "enum", "static",
              "extern", "inline", "register", "FILE"}
PUNCT = sorted(["...", "<<=", ">>=", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&",
                "||", "+=", "-=", "*=", "/=", "%=", "&=", "^=", "|=", "##"], key=len, reverse=True)

REL = {"<": ["<=", ">="], "<=": ["<", ">"], ">": [">=", "<="], ">=": [">", "<"],
       "==": ["!="], "!=": ["=="]}
ARITH_BIN = {"+": ["-"], "-": ["+"], "*": ["/"], "/": ["*"], "%": ["*"], "<<": [">>"],
             ">>": ["<<"], "&": ["|"], "|": ["&"], "^": ["|"]}
ARITH_ASSIGN = {"+=": ["-="], "-=": ["+="], "<<=": [">>="], ">>=": ["<<="], "&=": ["|="],
                "|=": ["&="], "++": ["--"], "--": ["++"]}
LOGIC = {"&&": ["||"], "||": ["&&"], "true": ["false"], "false": ["true"]}


@dataclass
class Tok:
    kind: str  # id, num, str, chr, punct
    text: str
    start: int
    end: int
    line: int
    pp: bool = False  # inside a #define body


@dataclass
class Mutant:
    path: str
    op: str
    start: int
    end: int
    line: int
    orig: str
    repl: str
    key: str = ""
    ident: str = ""
    outcome: str = ""
    detail: str = ""
    extra: dict = field(default_factory=dict)


def lex(src):
    """Tokens of C source @src; comments, strings' insides and non-#define directives skipped."""
    toks, i, n, line = [], 0, len(src), 1
    bol, in_define, skip_directive = True, False, False
    while i < n:
        c = src[i]
        if c == "\n":
            line += 1
            bol = True
            if i == 0 or src[i - 1] != "\\":
                in_define = skip_directive = False
            i += 1
            continue
        if c in " \t\r\f\v\\":
            i += 1
            continue
        if src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            line += src.count("\n", i, j)
            i = j
            continue
        if src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
            continue
        if bol and c == "#":
            m = re.match(r"#\s*(\w+)", src[i:])
            if m and m.group(1) == "define":
                in_define = True
                # Skip the macro name (and its parameter list).
                m2 = re.match(r"#\s*define\s+\w+(\([^)]*\))?", src[i:])
                i += m2.end()
            else:
                skip_directive = True
                i += 1
            bol = False
            continue
        bol = False
        if skip_directive:
            i += 1
            continue
        if c == '"' or c == "'":
            j = i + 1
            while j < n and src[j] != c:
                j += 2 if src[j] == "\\" else 1
            toks.append(Tok("str" if c == '"' else "chr", src[i:j + 1], i, j + 1, line, in_define))
            i = j + 1
            continue
        m = re.match(r"[A-Za-z_]\w*", src[i:i + 64])
        if m:
            toks.append(Tok("id", m.group(0), i, i + m.end(), line, in_define))
            i += m.end()
            continue
        m = re.match(r"(0[xX][0-9a-fA-F]+|\d+)([uUlL]*)\b|\d*\.\d+([eE][-+]?\d+)?[fFlL]?", src[i:i + 64])
        if m and m.end() > 0:
            toks.append(Tok("num", m.group(0), i, i + m.end(), line, in_define))
            i += m.end()
            continue
        p = next((p for p in PUNCT if src.startswith(p, i)), c)
        toks.append(Tok("punct", p, i, i + len(p), line, in_define))
        i += len(p)
    return toks


def is_operand_end(toks, k):
    """Whether token @k ends an operand (so that a following + - * & is binary)."""
    t = toks[k] if k >= 0 else None
    if t is None:
        return False
    if t.kind in ("num", "str", "chr"):
        return True
    if t.kind == "id":
        if t.text in KEYWORDS:
            return False
        # "uint8_t *p", "struct foo *p": a declaration, not a product.
        prev = toks[k - 1] if k > 0 else None
        if t.text.endswith("_t") or (prev and prev.text in ("struct", "union", "enum")):
            return False
        return True
    if t.text == "]":
        return True
    if t.text == ")":
        # "(uint8_t *)&x", "(size_t)-1": a cast, the operator is unary.
        before = toks[k - 1] if k > 0 else None
        if before and (before.text == "*" or before.text in TYPE_WORDS or before.text.endswith("_t")):
            return False
        return True
    return False


def const_repls(text):
    m = re.match(r"(0[xX][0-9a-fA-F]+|\d+)([uUlL]*)$", text)
    if not m:
        return []
    body, suffix = m.groups()
    hexa = body.lower().startswith("0x")
    if not hexa and len(body) > 1 and body.startswith("0"):
        return []  # octal: rare, skip
    v = int(body, 0)
    vals = [1] if v == 0 else ([0, 2] if v == 1 else [v + 1, v - 1])
    fmt = (lambda x: "0x%x" % x) if hexa else str
    return [fmt(x) + suffix for x in vals]


def operator_mutants(path, toks):
    out = []
    paren_static = 0  # inside _Static_assert(...)
    depth = 0
    for k, t in enumerate(toks):
        if t.text in ("_Static_assert", "static_assert"):
            paren_static = -1
        if paren_static:
            if t.text == "(":
                depth += 1
                paren_static = 1
            elif t.text == ")":
                depth -= 1
                if depth == 0:
                    paren_static = 0
            continue
        binary = is_operand_end(toks, k - 1)
        nxt = toks[k + 1].text if k + 1 < len(toks) else ""

        def add(op, repls):
            for r in repls:
                out.append(Mutant(path, op, t.start, t.end, t.line, t.text, r))
        if t.kind == "num":
            add("const", const_repls(t.text))
        elif t.kind == "id" and t.text in LOGIC:
            add("logic", LOGIC[t.text])
        elif t.kind != "punct":
            continue
        elif t.text in REL:
            add("rel", REL[t.text])
        elif t.text in LOGIC:
            add("logic", LOGIC[t.text])
        elif t.text == "!" and nxt != "=":
            add("logic", [""])
        elif t.text in ARITH_ASSIGN:
            add("arith", ARITH_ASSIGN[t.text])
        elif t.text in ARITH_BIN and binary:
            add("arith", ARITH_BIN[t.text])
    return out


def statement_mutants(path, toks):
    """Expression statements inside function bodies, to be replaced by an empty block."""
    out = []
    kinds = []  # brace stack: 'block', 'init' or 'type'
    k, n = 0, len(toks)
    start = 0  # index of the first token of the current statement, or None
    while k < n:
        t = toks[k]
        if t.pp:
            k += 1
            continue
        in_block = bool(kinds) and kinds[-1] == "block"
        if t.text == "{":
            prev = toks[k - 1].text if k > 0 else ""
            if prev in ("=", ",", "(") or (kinds and kinds[-1] == "init"):
                kinds.append("init")
            elif k > 1 and (toks[k - 1].text in ("struct", "union", "enum")
                            or toks[k - 2].text in ("struct", "union", "enum")):
                kinds.append("type")
            else:
                kinds.append("block")
            k += 1
            start = k
            continue
        if t.text == "}":
            if kinds:
                kinds.pop()
            k += 1
            start = k
            continue
        if not in_block or k != start:
            if t.text == ";":
                start = k + 1
            k += 1
            continue
        # At the start of a statement inside a block.
        if t.text in ("if", "while", "for", "switch"):
            k = skip_parens(toks, k + 1)
            start = k
            continue
        if t.text in ("else", "do"):
            k += 1
            start = k
            continue
        if t.text in ("case", "default") or (t.kind == "id" and k + 1 < n and toks[k + 1].text == ":"):
            while k < n and toks[k].text != ":":
                k += 1
            k += 1
            start = k
            continue
        end, simple = statement_end(toks, k)
        if simple and deletable(toks, k, end):
            a, b = toks[k], toks[end]
            text = " ".join(x.text for x in toks[k:end + 1])
            out.append(Mutant(path, "del", a.start, b.end, a.line, text, "{}"))
        k = end + 1
        start = k
    return out


def skip_parens(toks, k):
    """Index after the parenthesised group starting at @k."""
    depth = 0
    while k < len(toks):
        if toks[k].text == "(":
            depth += 1
        elif toks[k].text == ")":
            depth -= 1
            if depth == 0:
                return k + 1
        k += 1
    return k


def statement_end(toks, k):
    """Index of the ';' ending the statement at @k, and whether it holds no block."""
    depth, simple = 0, True
    while k < len(toks):
        x = toks[k].text
        if x in ("(", "["):
            depth += 1
        elif x in (")", "]"):
            depth -= 1
        elif x == "{" and depth == 0:
            simple = False
            k = skip_braces(toks, k)
            continue
        elif x == "}" and depth == 0:
            return k - 1, False
        elif x == ";" and depth == 0:
            return k, simple
        k += 1
    return k, False


def skip_braces(toks, k):
    depth = 0
    while k < len(toks):
        if toks[k].text == "{":
            depth += 1
        elif toks[k].text == "}":
            depth -= 1
            if depth == 0:
                return k + 1
        k += 1
    return k


def deletable(toks, a, b):
    first = toks[a]
    if first.text == "return":
        return b == a + 1  # "return;" only
    if first.text in ("break", "continue"):
        return True
    if first.text in TYPE_WORDS or first.text in KEYWORDS or first.text.endswith("_t"):
        return False
    # "struct_name *p = ...", "type name = ...": a declaration.
    if first.kind == "id" and toks[a + 1].kind == "id":
        return False
    if first.kind == "id" and toks[a + 1].text == "*" and toks[a + 2].kind == "id" and \
            toks[a + 3].text in ("=", ";", ",", "["):
        return False
    body = [x.text for x in toks[a:b]]
    return "(" in body or any(x in body for x in ("=", "+=", "-=", "|=", "&=", "^=", "<<=", ">>=",
                                                "*=", "/=", "++", "--"))


def line_text(src, m):
    a = src.rfind("\n", 0, m.start) + 1
    b = src.find("\n", m.end)
    b = len(src) if b < 0 else b
    return src[a:b]


def assign_keys(src, mutants):
    """Stable ids: file, normalised line text, occurrence on the line, operator, replacement."""
    seen = {}
    for m in mutants:
        text = m.orig if m.op == "del" else " ".join(line_text(src, m).split())
        a = src.rfind("\n", 0, m.start) + 1
        occ = src[a:m.start].count(m.orig) if m.op != "del" else 0
        base = f"{m.path}|{text}|{occ}|{m.op}|{m.orig}|{m.repl}"
        seen[base] = seen.get(base, 0) + 1
        m.key = f"{base}|{seen[base]}"
        m.ident = hashlib.sha1(m.key.encode()).hexdigest()[:8]


def function_spans(src, names):
    """[start, end) offsets of the definitions of functions @names (a '}' in column 0 ends one)."""
    spans = []
    for name in names:
        m = re.search(r"^[A-Za-z_][^\n;]*\b%s\([^;{]*\)\s*\{" % re.escape(name), src, re.M)
        if m:
            end = src.find("\n}", m.end())
            spans.append((m.start(), len(src) if end < 0 else end + 2))
    return spans


def mutants_of(root, path):
    with open(os.path.join(root, path), encoding="utf-8") as f:
        src = f.read()
    toks = lex(src)
    ms = operator_mutants(path, toks) + statement_mutants(path, toks)
    if path in REGIONS:
        spans = function_spans(src, REGIONS[path])
        ms = [m for m in ms if any(a <= m.start < b for a, b in spans)]
    ms.sort(key=lambda m: (m.start, m.op, m.repl))
    assign_keys(src, ms)
    return src, ms


def read_equivalents(root):
    path = os.path.join(root, "docs", "TESTING.md")
    eq = {}
    if not os.path.exists(path):
        return eq
    with open(path, encoding="utf-8") as f:
        for ln in f:
            m = re.match(r"\|\s*`?(src/[\w/.-]+)`?\s*\|\s*`?([0-9a-f]{8})`?\s*\|", ln)
            if m:
                eq[(m.group(1), m.group(2))] = ln.strip()
    return eq


# ---------------------------------------------------------------- the private tree


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw).stdout


def sync_tree(repo, tree):
    """Make @tree a copy of the repository's tracked and untracked, not ignored, files."""
    files = sh(["git", "-C", repo, "ls-files", "-co", "--exclude-standard", "-z"]).split("\0")
    files = {f for f in files if f and os.path.isfile(os.path.join(repo, f))}
    os.makedirs(tree, exist_ok=True)
    for dirpath, dirnames, filenames in os.walk(tree):
        rel = os.path.relpath(dirpath, tree)
        if rel == "." and "build" in dirnames:
            dirnames.remove("build")
        for fn in filenames:
            r = os.path.normpath(os.path.join(rel, fn))
            if r not in files:
                os.unlink(os.path.join(dirpath, fn))
    for f in sorted(files):
        s, d = os.path.join(repo, f), os.path.join(tree, f)
        with open(s, "rb") as fs:
            data = fs.read()
        if os.path.exists(d):
            with open(d, "rb") as fd:
                if fd.read() == data:
                    continue
        os.makedirs(os.path.dirname(d), exist_ok=True)
        # a fresh mtime: copy2's (the repository's) can be older than the copy's objects
        # built from the previous sync, and ninja would then keep them
        shutil.copyfile(s, d)
        shutil.copymode(s, d)


def setup_build(tree, sanitize):
    bdir = os.path.join(tree, "build")
    if os.path.exists(os.path.join(bdir, "build.ninja")):
        return bdir
    env = dict(os.environ)
    args = ["meson", "setup", bdir, tree, "--buildtype=debug", "-Dtests=true"]
    if sanitize:
        env["CC"] = "clang"
        args += ["-Db_sanitize=address,undefined", "-Db_lundef=false"]
    subprocess.run(args, check=True, env=env, stdout=subprocess.DEVNULL)
    return bdir


def introspect_tests(bdir):
    return json.loads(sh(["meson", "introspect", "--tests", bdir]))


def oracle_tests(tests, patterns):
    return [t for t in tests if any(re.search(p, t["name"]) for p in patterns)]


def targets_of(bdir, tests):
    out = set()
    for t in tests:
        for a in t["cmd"]:
            if os.path.isabs(a) and a.startswith(bdir + os.sep):
                out.add(os.path.relpath(a, bdir))
    return sorted(out)


def build(bdir, targets):
    r = subprocess.run(["ninja", "-C", bdir] + targets, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    return r.returncode == 0, r.stdout


def test_env(t):
    env = dict(os.environ)
    env.update(t.get("env") or {})
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1")
    env.setdefault("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1")
    return env


def run_test(t, timeout):
    """Run one test: ('pass'|'fail'|'timeout', seconds)."""
    t0 = time.monotonic()
    p = subprocess.Popen(t["cmd"], cwd=t.get("workdir") or None, env=test_env(t),
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        rc = p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        return "timeout", time.monotonic() - t0
    finally:
        try:
            os.killpg(p.pid, signal.SIGKILL)  # strays the test left behind
        except ProcessLookupError:
            pass
    want_fail = t.get("should_fail", False)
    ok = (rc == 0) != want_fail or rc == 77
    return ("pass" if ok else "fail"), time.monotonic() - t0


def run_oracle(tests, budget):
    """Run the oracle's tests until one fails: (outcome, test name)."""
    for t in tests:
        res, _ = run_test(t, budget[t["name"]])
        if res != "pass":
            return ("killed" if res == "fail" else "timeout"), t["name"]
    return "survived", ""


# ---------------------------------------------------------------- the driver


class Restore:
    """Write a mutant into the copy and put the original back, whatever happens."""

    def __init__(self, path, original):
        self.path, self.original = path, original

    def write(self, text):
        with open(self.path, "w", encoding="utf-8") as f:
            f.write(text)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.write(self.original)
        return False


def measure_file(args, tree, bdir, all_tests, path, equivalents, log):
    patterns = ORACLES.get(path) or OPTIONAL_ORACLES.get(path) or args.oracle
    if not patterns:
        log(f"{path}: no oracle (add it to ORACLES or pass --oracle)")
        return None
    tests = oracle_tests(all_tests, patterns)
    if not tests:
        log(f"{path}: no test matches {patterns}")
        return None
    targets = targets_of(bdir, tests)
    ok, out = build(bdir, targets)
    if not ok:
        sys.exit(f"the unmutated tree does not build:\n{out[-3000:]}")
    budget = {}
    for t in tests:
        res, secs = run_test(t, 600)
        if res != "pass":
            sys.exit(f"{path}: oracle test {t['name']} fails on the unmutated tree")
        budget[t["name"]] = max(args.min_timeout, args.timeout_factor * secs)
        t["secs"] = secs
    tests.sort(key=lambda t: t["secs"])  # the quick ones first: most mutants die there
    src, ms = mutants_of(tree, path)
    if args.mutant:
        order = [m for m in ms if m.ident in args.mutant]
    else:
        order = list(ms)
        random.Random(f"{args.seed}:{path}").shuffle(order)
    log(f"== {path}: {len(ms)} mutants, oracle {', '.join(t['name'] for t in tests)}")
    results, viable = [], 0
    full = os.path.join(tree, path)
    for m in order:
        if not args.mutant and viable >= args.per_file:
            break
        with Restore(full, src) as r:
            r.write(src[:m.start] + m.repl + src[m.end:])
            t0 = time.monotonic()
            ok, out = build(bdir, targets)
            t1 = time.monotonic()
            if not ok:
                m.outcome = "stillborn"
            else:
                m.outcome, m.detail = run_oracle(tests, budget)
            m.extra["secs"] = (t1 - t0, time.monotonic() - t1)
        if m.outcome == "stillborn":
            if args.verbose:
                log(f"   stillborn {m.ident} line {m.line}: {m.orig!r} -> {m.repl!r}")
            results.append(m)
            continue
        viable += 1
        eq = (path, m.ident) in equivalents
        if eq:
            m.extra["equivalent"] = True
        tag = m.outcome + (" (listed equivalent)" if eq else "")
        log(f"  [{viable:2}] {m.ident} {path}:{m.line} {m.op} {m.orig!r} -> {m.repl!r}: {tag}"
            + (f" by {m.detail}" if m.detail else "")
            + " (build %.0f s, tests %.0f s)" % m.extra["secs"])
        results.append(m)
    # Put the object file of the unmutated source back for the next file.
    build(bdir, targets)
    return results


def summarise(per_file, log):
    log("")
    log(f"{'file':28} {'viable':>6} {'killed':>6} {'equiv':>5} {'surv':>5} {'score':>7}")
    tk = tn = 0
    for path, res in per_file.items():
        viable = [m for m in res if m.outcome != "stillborn"]
        killed = [m for m in viable if m.outcome in ("killed", "timeout")]
        eq = [m for m in viable if m.extra.get("equivalent") and m.outcome == "survived"]
        surv = [m for m in viable if m.outcome == "survived" and not m.extra.get("equivalent")]
        denom = len(viable) - len(eq)
        score = 100.0 * len(killed) / denom if denom else 100.0
        tk += len(killed)
        tn += denom
        log(f"{path:28} {len(viable):6} {len(killed):6} {len(eq):5} {len(surv):5} {score:6.1f}%")
    if tn:
        log(f"{'total':28} {'':6} {tk:6} {'':5} {'':5} {100.0 * tk / tn:6.1f}%")
    survivors = [m for res in per_file.values() for m in res
                 if m.outcome == "survived" and not m.extra.get("equivalent")]
    if survivors:
        log("\nsurvivors (a test should catch these, or list them as equivalent in docs/TESTING.md):")
    for m in survivors:
        log(f"  {m.path} | {m.ident} | line {m.line} {m.op}: {m.orig!r} -> {m.repl!r}")
    wrong = [m for res in per_file.values() for m in res
             if m.extra.get("equivalent") and m.outcome != "survived"]
    for m in wrong:
        log(f"  listed as equivalent but {m.outcome}: {m.path} {m.ident} (remove it from docs/TESTING.md)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*", help="sources to mutate (default: every file in ORACLES)")
    ap.add_argument("--seed", default=None, help="sampling seed (default: a fresh one, printed)")
    ap.add_argument("--per-file", type=int, default=30, help="viable mutants per file (default 30)")
    ap.add_argument("--mutant", action="append", default=[], help="run only this mutant id (repeatable)")
    ap.add_argument("--list", action="store_true", help="list the mutants of the files and exit")
    ap.add_argument("--oracle", action="append", default=[], help="test-name regex for files not in ORACLES")
    ap.add_argument("--workdir", default=None, help="private copy and build (default: REPO/build-mutation)")
    ap.add_argument("--no-sanitize", action="store_true", help="gcc build without ASan/UBSan")
    ap.add_argument("--timeout-factor", type=float, default=4.0, help="timeout = factor x clean run")
    ap.add_argument("--min-timeout", type=float, default=15.0, help="shortest test timeout in seconds")
    ap.add_argument("--report", default=None, help="also write the log to this file")
    ap.add_argument("-v", "--verbose", action="store_true", help="show stillborn mutants too")
    args = ap.parse_args()

    repo = sh(["git", "rev-parse", "--show-toplevel"]).strip()
    files = args.files or list(ORACLES) + [f for f in OPTIONAL_ORACLES
                                           if os.path.exists(os.path.join(repo, f))]
    if args.list:
        for f in files:
            _, ms = mutants_of(repo, f)
            for m in ms:
                print(f"{m.ident} {f}:{m.line} {m.op} {m.orig!r} -> {m.repl!r}")
        return 0
    if args.seed is None:
        args.seed = str(random.SystemRandom().randrange(1, 1 << 31))
    work = args.workdir or os.path.join(repo, "build-mutation" + ("-gcc" if args.no_sanitize else ""))
    tree = os.path.join(work, "tree")
    if args.report:
        os.makedirs(os.path.dirname(os.path.abspath(args.report)), exist_ok=True)
    report = open(args.report, "w", encoding="utf-8") if args.report else None

    def log(s):
        print(s, flush=True)
        if report:
            report.write(s + "\n")
            report.flush()
    head = sh(["git", "-C", repo, "rev-parse", "--short", "HEAD"]).strip()
    log(f"mutation run: seed {args.seed}, {args.per_file} viable mutants per file, commit {head}"
        + (" (+ local changes)" if sh(["git", "-C", repo, "status", "--porcelain", "-uno"]) else "")
        + f", {'gcc' if args.no_sanitize else 'clang ASan/UBSan'}")
    log(f"command: {' '.join([os.path.relpath(sys.argv[0], repo)] + sys.argv[1:])}"
        + ("" if "--seed" in " ".join(sys.argv) else f" --seed {args.seed}"))
    sync_tree(repo, tree)
    bdir = setup_build(tree, not args.no_sanitize)
    build(bdir, ["build.ninja"])
    all_tests = introspect_tests(bdir)
    equivalents = read_equivalents(tree)
    per_file = {}
    for f in files:
        res = measure_file(args, tree, bdir, all_tests, f, equivalents, log)
        if res is not None:
            per_file[f] = res
    summarise(per_file, log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
