#!/usr/bin/env python3
# contracts.py - check that the contracts the sources state are true.
#
# usage: scripts/contracts.py [DIR]      (DIR: the tree, default .)
#
# Two rules of the style guide, checked on every module's files:
# 1. A header that has a SYNOPSIS lists in it every function the header
#    declares (a public header must have one; *_int.h and tests/ may
#    go without, but when they have one it is complete too), and lists
#    no function the header does not declare.
# 2. A "/* name - purpose" line names the function defined below it, and
#    every function defined in a .c file has one.
# 3. Includes follow the module graph (LAYERS below, the README's
#    Layout): a module includes only the modules under it, a *_int.h
#    only from its own directory, and no file outside state/ (and
#    tests/) speaks SQLite.
# Prints one line per finding, "path:line: what", then a count; exits 1
# when there is any finding, 2 when the tree cannot be read. Reads
# only; trusts nothing in the files beyond their being text.
import os
import re
import sys

MODULE_DIRS = ("cmd", "conf", "daemon", "firewall", "net", "parse",
               "reports", "score", "state", "tailer", "util", "wire",
               "tests", "bench")
IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
# A declaration or definition's name at the start of a line (KNF puts a
# definition's name in column 0; a declaration has its type before it).
DEF_NAME = re.compile(r"^(" + IDENT + r")\(")
DECL = re.compile(r"^(?!typedef\b|#|\s|/|\*|extern\s+\"C\")"
                  r"[^;{}()=]*?\b(" + IDENT + r")\s*\(")
NAME_LINE = re.compile(r"^/\*\s*(" + IDENT + r")\s+-\s")
HEADING = re.compile(r"^ \* [A-Z][A-Z ]+$")

# What each module may include besides itself (architecture.md): the
# data flow tailer -> parse -> score -> firewall, score using state,
# reports reading the state, cmd/ and daemon/ wiring (wire/ their shared
# part); net/ and util/
# are leaves; conf/ reads the file and calls each module's validator.
LAYERS = {
    "util": set(),
    "net": {"util"},
    "parse": {"net", "util"},
    "tailer": {"util"},
    "state": {"net", "util"},
    "score": {"parse", "state", "net", "util"},
    "firewall": {"net", "util"},
    "conf": {"tailer", "parse", "score", "firewall", "state", "net",
             "util"},
    "reports": {"tailer", "parse", "score", "state", "net", "util"},
    # wire/: the stages' shared start-up (the enforcer opened with the
    # state's bans), below the two that wire
    "wire": {"tailer", "parse", "score", "state", "firewall", "conf",
             "net", "util"},
    "daemon": {"wire", "tailer", "parse", "score", "state", "firewall",
               "conf", "reports", "net", "util"},
    "cmd": {"daemon", "wire", "tailer", "parse", "score", "state",
            "firewall", "conf", "reports", "net", "util"},
}

findings = []


# note - record one finding
def note(path, line, what):
    findings.append("%s:%d: %s" % (path, line, what))


# strip_comments - the text with comments and strings blanked, lines kept
def strip_comments(text):
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j == -1 else j + 2
            out.append("".join(ch if ch == "\n" else " "
                               for ch in text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j == -1 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(c + " " * (min(j, n) - i - 1) + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


# synopsis - the function names a header's SYNOPSIS lists, or None
def synopsis(text):
    lines = text.split("\n")
    try:
        start = next(i for i, l in enumerate(lines)
                     if l.rstrip() == " * SYNOPSIS")
    except StopIteration:
        return None
    names = set()
    for l in lines[start + 1:]:
        if HEADING.match(l.rstrip()) or l.startswith(" */"):
            break
        # "type name(args" and "type *name(args"; not the arguments'
        # function pointers "(*fn)(", nor calls in a comment's prose.
        # The first name on a line: what follows may be prose.
        m = re.search(r"(?:^|[\s*])(" + IDENT + r")\(", l)
        if m:
            names.add(m.group(1))
    return names


# declared - the functions a header declares at file scope, with lines
def declared(code):
    out = {}
    depth = 0
    stmt = ""
    stmt_line = 0
    for no, line in enumerate(code.split("\n"), 1):
        if depth == 0 and not stmt and line[:1] not in ("", " ", "\t",
                                                        "#"):
            stmt, stmt_line = line, no
        elif stmt:
            stmt += " " + line
        depth += line.count("{") - line.count("}")
        if stmt and (stmt.rstrip().endswith(";") or "{" in stmt):
            if "(" in stmt and not stmt.lstrip().startswith(("typedef",
                                                             "struct",
                                                             "union",
                                                             "enum")) \
                    or re.match(r"^(struct|union|enum)\s+" + IDENT +
                                r"\s*\*?\s*\**\s*" + IDENT + r"\s*\(",
                                stmt.strip()):
                m = re.match(r"^[^(]*?(" + IDENT + r")\s*\(", stmt)
                if m and "(*" not in stmt.split(m.group(1))[0]:
                    out.setdefault(m.group(1), stmt_line)
            stmt = ""
    return out


# check_header - rule 1 for one header
def check_header(path, text):
    names = synopsis(text)
    base = os.path.basename(path)
    internal = base.endswith("_int.h") or path.startswith("tests" + os.sep)
    if names is None:
        if not internal:
            note(path, 1, "public header without a SYNOPSIS")
        return
    decls = declared(strip_comments(text))
    for name, line in sorted(decls.items(), key=lambda x: x[1]):
        if name not in names:
            note(path, line, "%s() is declared but not in the SYNOPSIS"
                 % name)
    for name in sorted(names - set(decls)):
        note(path, 1, "the SYNOPSIS lists %s(), which the header does "
             "not declare" % name)


# check_source - rule 2 for one file
def check_source(path, text):
    code = strip_comments(text).split("\n")
    lines = text.split("\n")
    pending = None          # (name, line) of the last "/* name -" line
    in_macro = False
    for no, line in enumerate(lines, 1):
        if in_macro:
            in_macro = line.rstrip().endswith("\\")
            continue
        dm = re.match(r"^#\s*define\s+(" + IDENT + r")", code[no - 1])
        if dm:
            # A macro under a name line is named by it; its body's
            # lines are not definitions.
            if pending and pending[0] == dm.group(1):
                pending = None
            in_macro = line.rstrip().endswith("\\")
            continue
        m = NAME_LINE.match(line)
        if not m and line.rstrip() == "/*" and no < len(lines):
            # the long form: "/*", then " * name - purpose"
            m = re.match(r"^ \* (" + IDENT + r") - ", lines[no])
        if m:
            if pending:
                note(path, pending[1], "\"%s -\" names no function (the "
                     "next name line comes first)" % pending[0])
            pending = (m.group(1), no)
            continue
        d = DEF_NAME.match(code[no - 1])
        # A header's inline function is a definition like a .c file's.
        inline = path.endswith(".h") and no > 1 and \
            code[no - 2].startswith("static inline")
        if not d or not (path.endswith(".c") or inline):
            if pending and code[no - 1][:1] not in ("", " ", "\t") and \
                    not DEF_NAME.match(code[no - 1]) and \
                    re.match(r"^(?:static\s+|const\s+|unsigned\s+|"
                             r"struct\s+\w+\s*|\w+\s*)[\s*\w]*[;=\[]",
                             code[no - 1]):
                # a variable or a type under the name line: not ours
                pending = None
            continue
        if d.group(1).isupper() and pending:
            # A definition a macro writes, FN(name, ...): its first
            # argument is the function's name.
            arg = re.match(r"^" + IDENT + r"\(\s*(" + IDENT + r")",
                           code[no - 1])
            if arg and arg.group(1) != pending[0]:
                note(path, pending[1], "\"/* %s -\" stands above %s()"
                     % (pending[0], arg.group(1)))
            pending = None
            continue
        # A definition: the name then "(" in column 0, and a body
        # (a "{" before the next ";").
        rest = " ".join(code[no - 1:no + 12])
        brace, semi = rest.find("{"), rest.find(";")
        if brace == -1 or (semi != -1 and semi < brace):
            continue
        name = d.group(1)
        if pending is None:
            note(path, no, "%s() has no \"/* %s - purpose */\" line"
                 % (name, name))
        elif pending[0] != name:
            note(path, pending[1], "\"/* %s -\" stands above %s()"
                 % (pending[0], name))
        pending = None


# check_includes - rule 3 for one file
def check_includes(path, text):
    mod = path.split(os.sep)[0]
    sql_seen = False
    for no, line in enumerate(text.split("\n"), 1):
        if not sql_seen and mod != "state" and \
                mod not in ("tests", "bench") and re.search(r"\bsqlite3_\w+\s*\(|#\s*include\s*<sqlite3\.h>",
                          line):
            note(path, no, "SQLite outside state/ (the state's interface "
                 "is state/state.h; first use in this file)")
            sql_seen = True
        m = re.match(r'^#\s*include\s*"([^"]+)"', line)
        if not m:
            continue
        inc = m.group(1)
        parts = inc.split("/")
        if len(parts) == 1:
            target = mod        # its own directory
        else:
            target = parts[0]
        if parts[-1].endswith("_int.h") and target != mod and \
                mod not in ("tests", "bench"):
            note(path, no, "%s is internal to %s/" % (inc, target))
        if mod in LAYERS and target != mod and \
                target not in LAYERS[mod]:
            note(path, no, "%s/ includes %s: the module graph has no "
                 "arrow %s -> %s" % (mod, inc, mod, target))


# main - walk the tree
def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    try:
        os.chdir(root)
    except OSError as e:
        print("contracts: %s: %s" % (root, e.strerror), file=sys.stderr)
        return 2
    nfiles = 0
    for d in MODULE_DIRS:
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            if not f.endswith((".c", ".h")):
                continue
            path = os.path.join(d, f)
            try:
                with open(path, encoding="utf-8",
                          errors="surrogateescape") as fp:
                    text = fp.read()
            except OSError as e:
                print("contracts: %s: %s" % (path, e.strerror),
                      file=sys.stderr)
                return 2
            nfiles += 1
            if f.endswith(".h"):
                check_header(path, text)
            check_source(path, text)
            check_includes(path, text)
    for f in findings:
        print(f)
    print("contracts: %d files, %d findings" % (nfiles, len(findings)))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
