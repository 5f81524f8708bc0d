#!/usr/bin/env python3
# log2export.py - Postfix log lines as journal entries in the journal export
# format, for systemd-journal-remote to write into a real journal file.
#
# usage: tests/log2export.py [--year Y] [--unit U] [--facility N]
#            [--boot-id HEX] [--seq-start N] < mail.log > entries.export
#   /lib/systemd/systemd-journal-remote -o F.journal - < entries.export
#
# Each line "STAMP HOST IDENT[PID]: MESSAGE" (STAMP: "Mon DD HH:MM:SS", read
# in --year, default this year, local time; or RFC 3339 with an offset)
# becomes one entry: __REALTIME_TIMESTAMP (the stamp, microseconds),
# __MONOTONIC_TIMESTAMP, _BOOT_ID, _HOSTNAME, SYSLOG_IDENTIFIER,
# SYSLOG_PID and _PID, SYSLOG_FACILITY (default 2, mail), PRIORITY 6,
# _SYSTEMD_UNIT (default postfix@-.service) and its slice
# (system-postfix.slice for postfix@*.service), MESSAGE. Lines of the same
# second get increasing microseconds, so the journal keeps their order.
# A line that is not in that shape is an error naming its number: the
# tests' inputs are known logs, so nothing is dropped silently.
import argparse
import datetime
import re
import sys
import time

STAMP_BSD = re.compile(rb'^([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d) ')
STAMP_ISO = re.compile(rb'^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)'
                       rb'(?:\.(\d{1,6}))?([+-]\d\d:?\d\d|Z) ')
REST = re.compile(rb'^(\S+) ([^\s\[:]+)(?:\[(\d+)\])?: (.*)$', re.S)
MONTHS = {m.encode(): i + 1 for i, m in enumerate(
    'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split())}


def stamp_usec(line, year):
    """The line's time in microseconds since the epoch, and the rest."""
    m = STAMP_BSD.match(line)
    if m:
        t = time.mktime((year, MONTHS[m.group(1)], int(m.group(2)),
                         int(m.group(3)), int(m.group(4)), int(m.group(5)),
                         0, 0, -1))
        return int(t) * 1000000, line[m.end():]
    m = STAMP_ISO.match(line)
    if m:
        off = m.group(8).decode()
        if off == 'Z':
            tz = datetime.timezone.utc
        else:
            off = off.replace(':', '')
            sign = -1 if off[0] == '-' else 1
            tz = datetime.timezone(sign * datetime.timedelta(
                hours=int(off[1:3]), minutes=int(off[3:5])))
        d = datetime.datetime(*(int(g) for g in m.groups()[:6]), tzinfo=tz)
        frac = int((m.group(7) or b'0').ljust(6, b'0'))
        return int(d.timestamp()) * 1000000 + frac, line[m.end():]
    return None, None


def field(out, name, value):
    """One field; the binary form when the value holds a newline."""
    if b'\n' in value:
        out.write(name + b'\n' + len(value).to_bytes(8, 'little') + value +
                  b'\n')
    else:
        out.write(name + b'=' + value + b'\n')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--year', type=int, default=time.localtime().tm_year)
    ap.add_argument('--unit', default='postfix@-.service')
    ap.add_argument('--facility', default='2')
    ap.add_argument('--boot-id', default='0123456789abcdef0123456789abcdef')
    ap.add_argument('--seq-start', type=int, default=1)
    a = ap.parse_args()
    out = sys.stdout.buffer
    last = 0
    mono = a.seq_start
    for n, line in enumerate(sys.stdin.buffer, 1):
        line = line.rstrip(b'\n')
        usec, rest = stamp_usec(line, a.year)
        m = REST.match(rest) if rest is not None else None
        if m is None:
            sys.exit('log2export.py: line %d is not "STAMP HOST '
                     'IDENT[PID]: MESSAGE"' % n)
        if usec <= last:
            usec = last + 1     # the same second: keep the order
        last = usec
        host, ident, pid, msg = m.groups()
        field(out, b'__REALTIME_TIMESTAMP', str(usec).encode())
        field(out, b'__MONOTONIC_TIMESTAMP', str(mono).encode())
        mono += 1
        field(out, b'_BOOT_ID', a.boot_id.encode())
        field(out, b'_HOSTNAME', host)
        field(out, b'SYSLOG_IDENTIFIER', ident)
        if pid is not None:
            field(out, b'SYSLOG_PID', pid)
            field(out, b'_PID', pid)
        if a.facility:
            field(out, b'SYSLOG_FACILITY', a.facility.encode())
        field(out, b'PRIORITY', b'6')
        if a.unit:
            field(out, b'_SYSTEMD_UNIT', a.unit.encode())
            if a.unit.startswith('postfix@'):
                field(out, b'_SYSTEMD_SLICE', b'system-postfix.slice')
        field(out, b'MESSAGE', msg)
        out.write(b'\n')


if __name__ == '__main__':
    main()
