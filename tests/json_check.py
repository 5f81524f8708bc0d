#!/usr/bin/env python3
# json_check.py - every line `fivefifty parse --json` writes for each FILE is
# one JSON object, and writing that object again by the rules of util.h
# (esc_json) gives back the same bytes: an independent slow path for the
# output of cmd/event_out.c and util/obuf.c (issue 17).
#
# usage: tests/json_check.py BIN FILE...
#
# The encoder below: keys in the order read, no spaces, integers as they
# are, true/false/null; in strings '"' and '\' after a backslash, \n \r \t,
# other controls and DEL as \u00xx (lower case), each byte of invalid
# UTF-8 as the escape \ufffd, valid UTF-8 as it is. A raw U+FFFD and the
# escape read the same, so the escape is marked (U+E000) before
# json.loads; a line holding a raw U+E000 cannot be checked that way and
# fails. Prints "N lines, M files" and one line per mismatch (the first
# 10); exits 1 on any mismatch, 2 on a usage or run error.
import json
import re
import subprocess
import sys

MARK = '\ue000'
# The escape \ufffd, not a literal backslash followed by "ufffd".
ESC_FFFD = re.compile(r'(?<!\\)((?:\\\\)*)\\ufffd')


# Obj - an object's pairs in the order read (a dict would hide duplicates)
class Obj(list):
    pass


# enc_str - a string by esc_json()'s rules, quoted
def enc_str(s):
    out = ['"']
    for ch in s:
        c = ord(ch)
        if ch == '"' or ch == '\\':
            out.append('\\' + ch)
        elif ch == '\n':
            out.append('\\n')
        elif ch == '\r':
            out.append('\\r')
        elif ch == '\t':
            out.append('\\t')
        elif c < 0x20 or c == 0x7f:
            out.append('\\u%04x' % c)
        elif ch == MARK:
            out.append('\\ufffd')
        else:
            out.append(ch)
    out.append('"')
    return ''.join(out)


# enc - any value read back, as event_json() writes it
def enc(v):
    if v is None:
        return 'null'
    if v is True:
        return 'true'
    if v is False:
        return 'false'
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return enc_str(v)
    if isinstance(v, Obj):
        return '{' + ','.join(enc_str(k) + ':' + enc(x) for k, x in v) + '}'
    if isinstance(v, list):
        return '[' + ','.join(enc(x) for x in v) + ']'
    raise ValueError('a value event_json() never writes: %r' % (v,))


def main():
    if len(sys.argv) < 3:
        print('usage: json_check.py BIN FILE...', file=sys.stderr)
        return 2
    lines = bad = 0
    for path in sys.argv[2:]:
        r = subprocess.run([sys.argv[1], 'parse', '--json', path],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if r.returncode != 0:
            print('%s: parse --json exited %d' % (path, r.returncode))
            return 2
        for n, raw in enumerate(r.stdout.split(b'\n')[:-1], 1):
            lines += 1
            try:
                text = raw.decode('utf-8')	# strict: valid UTF-8 only
                if MARK in text:
                    raise ValueError('raw U+E000')
                obj = json.loads(ESC_FFFD.sub(r'\1' + '\\\\ue000', text),
                                 object_pairs_hook=Obj)
                again = enc(obj)
            except ValueError as e:
                again = '(%s)' % e
                text = raw.decode('utf-8', 'replace')
            if again != text:
                bad += 1
                if bad <= 10:
                    print('%s: output line %d: %r\n  again: %r' %
                          (path, n, text[:300], again[:300]))
    print('%d lines, %d files, %d mismatches' % (lines, len(sys.argv) - 2,
                                                 bad))
    return 1 if bad else 0


sys.exit(main())
