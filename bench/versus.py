#!/usr/bin/env python3
"""versus.py - fivefifty against fail2ban on the same real Postfix traffic.

usage (bench/versus.sh runs it, as root, in its network namespace):
  versus.py gen DIR SEED SMALL SECS
  versus.py tool --name N --kind fivefifty|fail2ban [--mode M]
      [--backend B] --dir D --record R --truth T [--matches M]
      [--preload N] [--ff BIN] [--restart-max S] --out JSON
  versus.py table OUT.md COMMAND JSON...

gen: the Postfix instance of DIR listens on 127.0.0.1:25; SMTP clients
of known kinds (smtplib, each bound to its own 127.x.y.z, so that it is
an external client) talk to it on a schedule drawn from SEED over SECS
seconds: legit, listserver (two stale subscribers in every post),
legit4xx (greylisted three times, then accepted), five-fifties refused
at HELO, at MAIL FROM and at RCPT, dictionary attackers fast (bursts)
and slow (one unknown recipient now and then over the whole run), relay
probers. A thread follows DIR/mail.log and records when each line
appeared: DIR/record.tsv (microseconds since the start, the line) and
DIR/truth.tsv (address, class, ban|keep).

tool: one tool on the recorded traffic. An empty log in D; the tool
started on it (fivefifty run with its defaults, or fail2ban-server with
the postfix jail); the recorded lines written again at their recorded
offsets, each stamped with the time of its write; `nft monitor new
elements` timestamps every element the kernel gets. Then the CPU seconds
(utime + stime, and those of reaped children: fail2ban runs nft for each
ban) and the peak RSS (VmHWM) of the tool's process, the bans by class,
the latency of each ban from the write of its triggering line, and a
restart (stop, start) with the bans in force, then again with PRELOAD
more: the set is listed in a tight loop (nft -j list set) from the stop
on, and the seconds during which any ban is missing and until all are
back are kept. JSON to --out.

table: the JSON of every tool, side by side, as markdown.
"""
import argparse
import datetime
import ipaddress
import json
import os
import random
import re
import smtplib
import subprocess
import sys
import threading
import time

IP_RE = re.compile(r'\[(\d+\.\d+\.\d+\.\d+)\]')
SYSLOG_TS = re.compile(r'^([A-Z][a-z]{2}) ([ 0-9]\d) (\d\d:\d\d:\d\d)(\.\d+)? ')
RFC_TS = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z) ')
USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi',
         'ivan', 'judy', 'mallory', 'niaj', 'olivia', 'peggy', 'rupert',
         'sybil', 'trent', 'victor', 'walter']
OFFENDERS = ['five_helo', 'five_sender', 'five_rcpt', 'dict_fast',
             'dict_slow', 'relay']
KEEPERS = ['legit', 'listserver', 'legit4xx']
CLASSES = KEEPERS + OFFENDERS
# clients of each class: the default run, and SMALL=1
COUNTS = {'legit': (24, 6), 'listserver': (6, 2), 'legit4xx': (8, 2),
          'five_helo': (9, 3), 'five_sender': (9, 3), 'five_rcpt': (9, 3),
          'dict_fast': (8, 2), 'dict_slow': (7, 2), 'relay': (8, 2)}


def die(msg):
    """die - the message, exit 1"""
    print('bench/versus.py: ' + msg, file=sys.stderr)
    sys.exit(1)


def now():
    """now - monotonic seconds"""
    return time.monotonic()


# --- gen: the traffic --------------------------------------------------------

def word(rng, lo=4, hi=9):
    """word - a random lower-case word"""
    return ''.join(rng.choice('abcdefghijklmnopqrstuvwxyz')
                   for _ in range(rng.randint(lo, hi)))


def session(src, helo, sender, rcpts, data=True):
    """session - one SMTP session from src; never raises"""
    try:
        s = smtplib.SMTP(timeout=10, source_address=(src, 0))
        s.connect('127.0.0.1', 25)
        s.ehlo(helo)
        code, _ = s.mail(sender)
        ok = 0
        if code < 400:
            for r in rcpts:
                code, _ = s.rcpt(r)
                if code < 300:
                    ok += 1
        if ok and data:
            s.data('Subject: versus\r\n\r\ntest\r\n')
        s.quit()
    except (OSError, smtplib.SMTPException):
        pass


def gen(argv):
    """gen - the clients' traffic against the running Postfix, recorded"""
    d, seed, small, secs = argv[0], int(argv[1]), argv[2] == '1', \
        float(argv[3])
    rng = random.Random(seed)
    used = set()

    def addr():
        """addr - a fresh 127.x.y.z (not 127.0.x.x: 127.0.1.1 may be the
        host's own name, which fail2ban ignores)"""
        while True:
            a = '127.%d.%d.%d' % (rng.randint(2, 250), rng.randint(1, 250),
                                  rng.randint(1, 250))
            if a not in used:
                used.add(a)
                return a

    events = []         # (time, order, function, args)
    truth = []

    def at(t, fn, *args):
        """at - fn(*args) at t seconds"""
        events.append((t, len(events), fn, args))

    def spread(n, lo=0.0, hi=1.0):
        """spread - n sorted times over the run"""
        return sorted(rng.uniform(lo * secs, hi * secs) for _ in range(n))

    greylist = {}
    for cls in CLASSES:
        for _ in range(COUNTS[cls][1 if small else 0]):
            a = addr()
            dom = word(rng) + '.example'
            truth.append((a, cls, 'ban' if cls in OFFENDERS else 'keep'))
            if cls == 'legit':
                for t in spread(rng.randint(3, 7)):
                    to = [rng.choice(USERS) + '@example.test']
                    if rng.random() < 0.1:
                        to.append('jhon%d@example.test' % rng.randint(1, 99999))
                    at(t, session, a, 'mail.' + dom, 'news@' + dom, to)
            elif cls == 'listserver':
                to = [u + '@example.test' for u in USERS[:12]] + \
                    ['gone1@example.test', 'gone2@example.test']
                for t in spread(rng.randint(5, 9)):
                    at(t, session, a, 'lists.' + dom, 'bounce@lists.' + dom,
                       to)
            elif cls == 'legit4xx':
                key = 'grey%d@example.test' % len(greylist)
                greylist[key] = a
                t = rng.uniform(0, 0.55 * secs)
                step = rng.uniform(0.1, 0.14) * secs
                for i in range(4):
                    at(t + i * step, session, a, 'mail.' + dom,
                       'info@' + dom, [key])
                    if i == 2:
                        at(t + i * step + 0.5, ungrey, d, greylist, key)
            elif cls == 'five_helo':
                helo = word(rng) if rng.random() < 0.5 else 'mx.example.test'
                frm, to = 'offers@' + dom, rng.choice(USERS) + '@example.test'
                for t in spread(rng.randint(4, 8)):
                    at(t, session, a, helo, frm, [to])
            elif cls == 'five_sender':
                frm = 'x@spammer.example' if rng.random() < 0.5 else \
                    word(rng) + '@localhost'
                to = rng.choice(USERS) + '@example.test'
                for t in spread(rng.randint(4, 8)):
                    at(t, session, a, 'mail.' + dom, frm, [to])
            elif cls == 'five_rcpt':
                to = 'nosuch%d@example.test' % rng.randint(1, 99999)
                for t in spread(rng.randint(4, 8)):
                    at(t, session, a, 'mail.' + dom, 'offers@' + dom, [to])
            elif cls == 'dict_fast':
                t = rng.uniform(0, 0.8 * secs)
                left = rng.randint(15, 30)
                while left > 0:
                    n = min(left, 10)
                    at(t, session, a, 'mail.' + dom, 'promo@' + dom,
                       [word(rng) + '@example.test' for _ in range(n)])
                    left -= n
                    t += 0.05
            elif cls == 'dict_slow':
                for t in spread(rng.randint(10, 14)):
                    at(t, session, a, 'mail.' + dom, 'promo@' + dom,
                       [word(rng) + '@example.test'])
            elif cls == 'relay':
                for t in spread(rng.randint(4, 7)):
                    at(t, session, a, 'mail.' + dom, 'x@' + dom,
                       ['user%d@victim%d.example' % (rng.randint(1, 99),
                                                     rng.randint(1, 9))
                        for _ in range(rng.randint(1, 3))])
    events.sort(key=lambda e: (e[0], e[1]))
    ungrey(d, greylist, None)

    log = os.path.join(d, 'mail.log')
    record = []
    stop = threading.Event()
    t0 = now()

    def follow():
        """follow - each new line of the log, with when it appeared"""
        with open(log, 'rb') as f:
            part = b''
            while True:
                chunk = f.read()
                if chunk:
                    t = now() - t0
                    part += chunk
                    *lines, part = part.split(b'\n')
                    for ln in lines:
                        record.append((int(t * 1e6), ln))
                elif stop.is_set():
                    return
                else:
                    time.sleep(0.005)

    open(log, 'ab').close()
    with open(log, 'rb') as f:
        f.seek(0, 2)
        skip = f.tell()
    th = threading.Thread(target=follow)
    th.start()
    for t, _, fn, args in events:
        w = t0 + t - now()
        if w > 0:
            time.sleep(w)
        fn(*args)
    time.sleep(1.5)
    stop.set()
    th.join()
    # lines written before the traffic (Postfix's start) are not replayed
    total = 0
    out = []
    for us, ln in record:
        total += len(ln) + 1
        if total > skip:
            out.append((us, ln))
    with open(os.path.join(d, 'record.tsv'), 'wb') as f:
        for us, ln in out:
            f.write(b'%d\t%s\n' % (us, ln))
    with open(os.path.join(d, 'truth.tsv'), 'w') as f:
        for a, cls, v in truth:
            f.write('%s\t%s\t%s\n' % (a, cls, v))
    print('bench/versus.py: %d clients, %d sessions, %d log lines in %.0f s'
          % (len(truth), sum(1 for e in events if e[2] is session),
             len(out), now() - t0), file=sys.stderr)


def ungrey(d, greylist, key):
    """ungrey - the greylisted client has retried enough: let it in (the
    map rewritten, postmap; smtpd notices before its next session)"""
    if key is not None:
        greylist.pop(key, None)
    with open(os.path.join(d, 'greylist'), 'w') as f:
        for k in greylist:
            f.write('%s DEFER_IF_PERMIT Greylisted, try again later\n' % k)
    subprocess.run(['postmap', '-c', d, 'hash:' + os.path.join(d, 'greylist')],
                   check=False)


# --- tool: one tool on the recorded traffic ----------------------------------

def read_record(path):
    """read_record - [(seconds, line bytes)]"""
    out = []
    with open(path, 'rb') as f:
        for ln in f:
            us, _, text = ln.rstrip(b'\n').partition(b'\t')
            out.append((int(us) / 1e6, text))
    return out


def restamp(line, t):
    """restamp - the line with its time stamp replaced by t (same style)"""
    s = line.decode('utf-8', 'replace')
    dt = datetime.datetime.fromtimestamp(t)
    m = SYSLOG_TS.match(s)
    if m:
        day = ('%2d' if m.group(2)[0] == ' ' else '%02d') % dt.day
        frac = ('.%06d' % dt.microsecond)[:len(m.group(4))] \
            if m.group(4) else ''
        return ('%s %s %s%s ' % (dt.strftime('%b'), day,
                                 dt.strftime('%H:%M:%S'), frac)
                + s[m.end():]).encode()
    m = RFC_TS.match(s)
    if m:
        return (dt.astimezone().isoformat(timespec='microseconds') + ' '
                + s[m.end():]).encode()
    return line


def cpu_of(pid):
    """cpu_of - seconds of CPU of pid and its reaped children"""
    try:
        with open('/proc/%d/stat' % pid) as f:
            fields = f.read().rpartition(')')[2].split()
    except OSError:
        return None
    tick = os.sysconf('SC_CLK_TCK')
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / tick


def hwm_of(pid):
    """hwm_of - VmHWM of pid in KiB"""
    try:
        with open('/proc/%d/status' % pid) as f:
            for ln in f:
                if ln.startswith('VmHWM:'):
                    return int(ln.split()[1])
    except OSError:
        pass
    return None


def ip_int(a):
    """ip_int - an IPv4 address as an integer"""
    return int(ipaddress.IPv4Address(a))


def set_ranges(table, setname):
    """set_ranges - the set's elements as [(lo, hi)] (None: no such set)"""
    p = subprocess.run(['nft', '-j', 'list', 'set', 'inet', table, setname],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return None
    out = []
    for obj in json.loads(p.stdout).get('nftables', []):
        for e in obj.get('set', {}).get('elem', []):
            if isinstance(e, dict) and 'elem' in e:
                e = e['elem'].get('val', e['elem'])
            if isinstance(e, str):
                out.append((ip_int(e), ip_int(e)))
            elif 'range' in e:
                out.append((ip_int(e['range'][0]), ip_int(e['range'][1])))
            elif 'prefix' in e:
                n = ipaddress.IPv4Network('%s/%d' % (e['prefix']['addr'],
                                                     e['prefix']['len']))
                out.append((int(n.network_address),
                            int(n.broadcast_address)))
    return out


def covered(ranges, addrs):
    """covered - how many of addrs (sorted ints) ranges hold"""
    if not ranges:
        return 0
    ranges = sorted(ranges)
    n = i = 0
    for a in addrs:
        while i < len(ranges) and ranges[i][1] < a:
            i += 1
        if i < len(ranges) and ranges[i][0] <= a:
            n += 1
    return n


class Monitor:
    """Monitor - `nft monitor new elements`: first time each address of
    TABLE was added to the kernel"""

    def __init__(self, table):
        self.table = table
        self.first = {}
        self.p = subprocess.Popen(['nft', 'monitor', 'new', 'elements'],
                                  stdout=subprocess.PIPE, bufsize=0)
        self.th = threading.Thread(target=self.loop, daemon=True)
        self.th.start()
        time.sleep(0.3)

    def loop(self):
        """loop - read the events, time them"""
        pat = re.compile(r'^add element inet (\S+) \S+ \{ (.*) \}')
        for raw in self.p.stdout:
            t = now()
            m = pat.match(raw.decode(errors='replace'))
            if not m or m.group(1) != self.table:
                continue
            for el in m.group(2).split(', '):
                el = el.split(' ')[0]
                try:
                    if '-' in el:
                        lo, hi = el.split('-')
                        lo, hi = ip_int(lo), ip_int(hi)
                    else:
                        n = ipaddress.IPv4Network(el, strict=False)
                        lo, hi = int(n.network_address), \
                            int(n.broadcast_address)
                except ValueError:
                    continue
                if hi - lo > 65536:
                    continue
                for x in range(lo, hi + 1):
                    self.first.setdefault(x, t)

    def close(self):
        """close - stop nft monitor"""
        self.p.terminate()
        self.p.wait()


class FiveFifty:
    """FiveFifty - fivefifty run with its defaults, files in d"""
    table, setname = 'fivefifty', 'offenders4'

    def __init__(self, d, binary):
        self.d, self.bin, self.p = d, binary, None
        self.conf = os.path.join(d, 'ff.conf')
        os.makedirs(os.path.join(d, 'state'), exist_ok=True)
        with open(self.conf, 'w') as f:
            f.write('# bench/versus.py: the defaults but for the paths;\n'
                    '# 127.0.0.1 alone is loopback (the clients are 127.x)\n'
                    'state_db = %s/ff.db\nstate_directory = %s/state\n'
                    'log_source = file\nmail_log = %s/mail.log\nuser =\n'
                    'control_socket = %s/ctl.sock\ncontrol_group =\n'
                    'loopback = 127.0.0.1/32\nprotect_mynetworks = no\n'
                    'access_map =\nfirewall_required = yes\n'
                    % (d, d, d, d))

    def cmd(self, *args):
        """cmd - a fivefifty command; its completed process"""
        return subprocess.run([self.bin, '-c', self.conf] + list(args),
                              capture_output=True, text=True)

    def start(self):
        """start - fivefifty run"""
        self.err = open(os.path.join(self.d, 'daemon.log'), 'a')
        self.p = subprocess.Popen([self.bin, '-c', self.conf, 'run'],
                                  stdout=subprocess.DEVNULL, stderr=self.err)

    def ready(self):
        """ready - status answers"""
        return self.cmd('status').returncode == 0

    def stop(self):
        """stop - SIGTERM, wait"""
        self.p.terminate()
        self.p.wait()

    def preload(self, addrs):
        """preload - manual bans of addrs"""
        for a in addrs:
            r = self.cmd('ban', a, '--for', '1h')
            if r.returncode != 0:
                die('fivefifty ban %s: %s' % (a, r.stderr.strip()))

    def version(self):
        """version - fivefifty --version"""
        return subprocess.run([self.bin, '--version'], capture_output=True,
                              text=True).stdout.strip()


class Fail2ban:
    """Fail2ban - fail2ban-server, the postfix jail, its files in d"""
    setname = 'addr-set-postfix'

    def __init__(self, d, name, mode, backend):
        self.d, self.p = d, None
        self.table = name if name.startswith('f2b-') else 'f2b-' + name
        self.conf = os.path.join(d, 'etc')
        self.sock = os.path.join(d, 'f2b.sock')
        subprocess.run(['cp', '-a', '/etc/fail2ban', self.conf], check=True)
        # Debian's jail.d enables sshd; the postfix jail alone runs here
        for f in os.listdir(os.path.join(self.conf, 'jail.d')):
            os.unlink(os.path.join(self.conf, 'jail.d', f))
        for f in os.listdir(self.conf):
            if f.endswith('.local'):
                os.unlink(os.path.join(self.conf, f))
        with open(os.path.join(self.conf, 'fail2ban.local'), 'w') as f:
            f.write('[Definition]\nlogtarget = %s/f2b.log\nsocket = %s\n'
                    'pidfile = %s/f2b.pid\ndbfile = %s/f2b.sqlite3\n'
                    % (d, self.sock, d, d))
        with open(os.path.join(self.conf, 'jail.local'), 'w') as f:
            f.write('[DEFAULT]\nbanaction = nftables-multiport\n'
                    'banaction_allports = nftables-allports\n'
                    'maxretry = 5\n\n[postfix]\nenabled = true\n'
                    # fivefifty's ban_time: no ban (the run's, the
                    # preloaded) expires during a long restart
                    'bantime = 1h\n'
                    '%sbackend = %s\nlogpath = %s/mail.log\n'
                    % ('mode = %s\n' % mode if mode != 'more' else '',
                       backend, d))
        with open(os.path.join(self.conf, 'action.d',
                               'nftables-common.local'), 'w') as f:
            f.write('[Init]\ntable = %s\n' % self.table)

    def client(self, *args):
        """client - fail2ban-client on this server"""
        return subprocess.run(['fail2ban-client', '-c', self.conf, '-s',
                               self.sock] + list(args),
                              capture_output=True, text=True)

    def start(self):
        """start - fail2ban-server in the foreground (our child)"""
        self.err = open(os.path.join(self.d, 'server.err'), 'a')
        self.p = subprocess.Popen(
            ['fail2ban-server', '-f', '-x', '-c', self.conf, '-s', self.sock,
             '-p', os.path.join(self.d, 'f2b.pid')],
            stdout=self.err, stderr=self.err)

    def ready(self):
        """ready - the jail answers"""
        return self.client('status', 'postfix').returncode == 0

    def stop(self):
        """stop - fail2ban-client stop, wait"""
        self.client('stop')
        try:
            self.p.wait(60)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()

    def preload(self, addrs):
        """preload - banip, 100 at a time"""
        for i in range(0, len(addrs), 100):
            r = self.client('set', 'postfix', 'banip', *addrs[i:i + 100])
            if r.returncode != 0:
                die('fail2ban-client banip: ' + r.stderr.strip())

    def version(self):
        """version - fail2ban-server -V"""
        return 'fail2ban ' + subprocess.run(
            ['fail2ban-server', '-V'], capture_output=True,
            text=True).stdout.strip()


def wait_ready(tool, limit=60):
    """wait_ready - until the tool answers"""
    t = now()
    while not tool.ready():
        if tool.p.poll() is not None:
            die('%s exited %d (see %s)' % (type(tool).__name__,
                                           tool.p.returncode, tool.d))
        if now() - t > limit:
            die('%s did not answer in %d s' % (type(tool).__name__, limit))
        time.sleep(0.05)
    return now() - t


def wait_all(tool, addrs, limit):
    """wait_all - until every address is in the set; seconds, or None"""
    t = now()
    while now() - t < limit:
        if covered(set_ranges(tool.table, tool.setname), addrs) == len(addrs):
            return now() - t
        time.sleep(0.2)
    return None


def restart(tool, addrs, limit):
    """restart - stop and start the tool with addrs banned; the set listed
    from the stop on: seconds any is missing, until all are back"""
    done = threading.Event()

    def cycle():
        """cycle - stop, start, until the tool answers"""
        tool.stop()
        tool.start()
        t = now()
        while not tool.ready() and tool.p.poll() is None and \
                now() - t < limit:
            time.sleep(0.05)
        done.set()
    # every deletion in the tool's table, however short (a listing can
    # miss one): nft monitor's delete and flush events
    mon = subprocess.Popen(['nft', 'monitor'], stdout=subprocess.PIPE,
                           bufsize=0)
    dels, rules = [], []

    def watch():
        """watch - the deletions in the tool's table"""
        for raw in mon.stdout:
            ln = raw.decode(errors='replace')
            if ln.split(' ')[0] in ('delete', 'flush') and \
                    (' inet %s ' % tool.table) in ln + ' ':
                # a rule replaced leaves the set's elements in place
                (rules if ln.startswith('delete rule ') else
                 dels).append(ln.strip()[:100])
    wt = threading.Thread(target=watch, daemon=True)
    wt.start()
    time.sleep(0.3)
    t0 = now()
    th = threading.Thread(target=cycle)
    th.start()
    polls, first_missing, back, worst = 0, None, None, 0
    prev = t0
    while True:
        ranges = set_ranges(tool.table, tool.setname)
        t = now()
        polls += 1
        have = covered(ranges, addrs)
        if have < len(addrs):
            if first_missing is None:
                first_missing = prev
            worst = max(worst, len(addrs) - have)
            back = None
        elif back is None:
            back = t
        if done.is_set() and back is not None and now() - back > 1.0:
            break
        if t - t0 > limit:
            break
        prev = t
        time.sleep(0.005)
    t_end = now()
    th.join()
    wait_ready(tool, 10)
    time.sleep(0.2)
    mon.terminate()
    mon.wait()
    wt.join(1)
    missing = None
    if first_missing is not None:
        missing = (back if back is not None else now()) - first_missing
    return {
        'bans': len(addrs),
        'polls': polls,
        'poll_ms': round((t_end - t0) * 1000 / max(polls, 1), 1),
        'missing_s': round(missing, 3) if missing is not None else 0.0,
        'back_s': round((back - t0) if back is not None else -1, 3)
        if first_missing is not None else 0.0,
        'all_back': back is not None,
        'worst_missing': worst,
        'limit_s': limit,
        'deletions': len(dels),
        'rule_deletions': len(rules),
        'deletion_first': dels[:3],
    }


def triggers_f2b(record, matches_path):
    """triggers_f2b - per address, the index of its 5th line matched by
    the filter (fail2ban's maxretry): its triggering line"""
    matched = []
    with open(matches_path, 'rb') as f:
        for ln in f:
            matched.append(ln.rstrip(b'\n'))
    k, count, trig = 0, {}, {}
    for i, (_, ln) in enumerate(record):
        if k < len(matched) and ln == matched[k]:
            k += 1
            m = IP_RE.search(ln.decode(errors='replace'))
            if m:
                a = m.group(1)
                count[a] = count.get(a, 0) + 1
                if count[a] == 5:
                    trig[a] = i
    return trig, k, len(matched)


def pct(xs, p):
    """pct - the p-th percentile (nearest rank)"""
    if not xs:
        return None
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, int(round(p / 100 * len(xs) + 0.5)) - 1))]


def tool(argv):
    """tool - one tool on the recorded traffic; JSON"""
    ap = argparse.ArgumentParser()
    for a in ('--name', '--kind', '--mode', '--backend', '--dir', '--record',
              '--truth', '--matches', '--ff', '--out'):
        ap.add_argument(a)
    ap.add_argument('--preload', type=int, default=0)
    ap.add_argument('--restart-max', type=float, default=300)
    ap.add_argument('--settle', type=float, default=5)
    o = ap.parse_args(argv)
    os.makedirs(o.dir, exist_ok=True)
    log = os.path.join(o.dir, 'mail.log')
    open(log, 'w').close()
    record = read_record(o.record)
    truth = {}
    with open(o.truth) as f:
        for ln in f:
            a, cls, v = ln.split()
            truth[a] = cls
    if o.kind == 'fivefifty':
        t = FiveFifty(o.dir, o.ff)
    else:
        t = Fail2ban(o.dir, o.name, o.mode, o.backend)
    version = t.version()
    mon = Monitor(t.table)
    t.start()
    ready_s = wait_ready(t)
    cpu0 = cpu_of(t.p.pid)
    print('bench/versus.py: %s: replaying %d lines (%.0f s)'
          % (o.name, len(record), record[-1][0] if record else 0),
          file=sys.stderr)
    fd = os.open(log, os.O_WRONLY | os.O_APPEND)
    wrote = []
    t0 = now()
    w0 = time.time() - t0
    for off, ln in record:
        w = t0 + off - now()
        if w > 0:
            time.sleep(w)
        data = restamp(ln, w0 + now()) + b'\n'
        wrote.append(now())
        os.write(fd, data)
    os.close(fd)
    time.sleep(o.settle)
    cpu = cpu_of(t.p.pid) - cpu0
    hwm = hwm_of(t.p.pid)
    ranges = set_ranges(t.table, t.setname) or []
    # bans by class: in the set at the end, or seen added on the way
    banned = {}
    for a, cls in truth.items():
        x = ip_int(a)
        if x in mon.first or covered(ranges, [x]):
            banned[a] = cls
    by_class = {c: [sum(1 for v in truth.values() if v == c),
                    sum(1 for v in banned.values() if v == c)]
                for c in CLASSES}
    # latency: from the write of the triggering line to the first add
    trig = {}
    match_note = None
    if o.kind == 'fail2ban' and o.matches:
        trig, k, n = triggers_f2b(record, o.matches)
        match_note = '%d of %d matched lines found in the record' % (k, n)
    lat = []
    fallback = 0
    lines_of = {}
    for i, (_, ln) in enumerate(record):
        m = IP_RE.search(ln.decode(errors='replace'))
        if m:
            lines_of.setdefault(m.group(1), []).append(i)
    for a in banned:
        x = ip_int(a)
        if x not in mon.first:
            continue
        ts = mon.first[x]
        i = trig.get(a)
        if i is not None and wrote[i] > ts:
            i = None        # banned before its 5th match: not that line
        if i is None:
            # the last line naming the address written before the add
            before = [j for j in lines_of.get(a, []) if wrote[j] <= ts]
            if not before:
                continue
            i = before[-1]
            fallback += 1
        lat.append((ts - wrote[i]) * 1000)
    mon.close()
    res = {
        'name': o.name, 'kind': o.kind, 'mode': o.mode,
        'backend': o.backend, 'version': version, 'ready_s': round(ready_s, 2),
        'lines': len(record), 'by_class': by_class,
        'offenders': [sum(by_class[c][0] for c in OFFENDERS),
                      sum(by_class[c][1] for c in OFFENDERS)],
        'legit': [sum(by_class[c][0] for c in KEEPERS),
                  sum(by_class[c][1] for c in KEEPERS)],
        'lat_n': len(lat), 'lat_fallback': fallback, 'match_note': match_note,
        'lat_p50_ms': pct(lat, 50), 'lat_p99_ms': pct(lat, 99),
        'lat_max_ms': max(lat) if lat else None,
        'cpu_s': round(cpu, 2), 'hwm_kb': hwm,
    }
    print('bench/versus.py: %s: %d/%d offenders, %d/%d legitimate banned; '
          'p50 %.1f ms; CPU %.2f s' % (o.name, res['offenders'][1],
                                       res['offenders'][0], res['legit'][1],
                                       res['legit'][0],
                                       res['lat_p50_ms'] or -1, cpu),
          file=sys.stderr)
    # a restart with the bans of the run
    addrs = sorted(ip_int(a) for a in banned)
    res['restart_run'] = restart(t, addrs, o.restart_max)
    print('bench/versus.py: %s: restart with %d bans: %s'
          % (o.name, len(addrs), res['restart_run']), file=sys.stderr)
    if o.preload:
        # odd addresses of 198.18.0.0/15: no two make one range
        pre = ['198.18.%d.%d' % (i * 2 // 256, i * 2 % 256 + 1)
               for i in range(o.preload)]
        t1 = now()
        t.preload(pre)
        allp = sorted(addrs + [ip_int(a) for a in pre])
        w = wait_all(t, allp, 2 * o.restart_max)
        res['preload_s'] = round(now() - t1, 2) if w is not None else None
        if w is not None:
            res['restart_preload'] = restart(t, allp, o.restart_max)
            print('bench/versus.py: %s: restart with %d bans: %s'
                  % (o.name, len(allp), res['restart_preload']),
                  file=sys.stderr)
    t.stop()
    with open(o.out, 'w') as f:
        json.dump(res, f, indent=1)


# --- table -------------------------------------------------------------------

def table(argv):
    """table - the JSONs side by side, as markdown"""
    out, command, info = argv[0], argv[1], json.loads(argv[2])
    res = []
    for p in argv[3:]:
        with open(p) as f:
            res.append(json.load(f))
    names = [r['name'] for r in res]
    L = []
    L.append('## fivefifty against fail2ban, on the same Postfix traffic')
    L.append('')
    L.append('- command: `%s` (bench/versus.sh, bench/versus.py)' % command)
    L.append('- date: %s; machine: %s' % (info['date'], info['machine']))
    L.append('- versions: %s; %s; Postfix %s; %s; Linux %s'
             % (next((r['version'] for r in res if r['kind'] == 'fivefifty'),
                     'no fivefifty'),
                next((r['version'] for r in res if r['kind'] == 'fail2ban'),
                     'no fail2ban'), info['postfix'], info['nft'],
                info['kernel']))
    L.append('- traffic: %s (seed %s), replayed to each tool alone'
             % (info['traffic'], info['seed']))
    L.append('')

    def fmt_ms(v):
        return '-' if v is None else ('%.1f' % v if v < 100 else '%.0f' % v)

    def best(vals, lower=True):
        ok = [v for v in vals if v is not None]
        if not ok:
            return None
        return min(ok) if lower else max(ok)

    def row(label, vals, shown, lower=True):
        b = best(vals, lower)
        ff = vals[0] if res and res[0]['kind'] == 'fivefifty' else None
        if b is None or ff is None:
            verdict = '-'
        elif ff == b:
            verdict = 'best'
        else:
            who = [n for n, v in zip(names, vals) if v == b]
            verdict = '**loses to %s**' % ', '.join(who)
        L.append('| %s | %s | %s |' % (label, ' | '.join(shown), verdict))

    L.append('| | ' + ' | '.join(names) + ' | fivefifty against the best |')
    L.append('|---|' + '---:|' * len(names) + '---|')
    for c in CLASSES:
        n = res[0]['by_class'][c][0] if res else 0
        vals = [r['by_class'][c][1] for r in res]
        row('%s %s (%d)' % ('banned:' if c in OFFENDERS else 'banned (wrong):',
                            c, n), vals,
            [str(v) for v in vals], lower=c not in OFFENDERS)
    vals = [r['offenders'][1] for r in res]
    row('**offenders banned** (of %d)' % (res[0]['offenders'][0] if res else 0),
        vals, ['**%d**' % v for v in vals], lower=False)
    vals = [r['legit'][1] for r in res]
    row('**legitimate banned** (of %d)' % (res[0]['legit'][0] if res else 0),
        vals, ['**%d**' % v for v in vals])
    for key, label in (('lat_p50_ms', 'latency p50 ms'),
                       ('lat_p99_ms', 'latency p99 ms')):
        vals = [r[key] for r in res]
        row(label, vals, [fmt_ms(v) for v in vals])
    vals = [r['lat_n'] for r in res]
    L.append('| bans timed | ' + ' | '.join(str(v) for v in vals) + ' | |')
    vals = [r['cpu_s'] for r in res]
    row('CPU s (replay)', vals, ['%.2f' % v for v in vals])
    vals = [r['hwm_kb'] / 1024 if r['hwm_kb'] else None for r in res]
    row('peak RSS MB', vals, ['%.1f' % v if v else '-' for v in vals])
    for key, label in (('restart_run', 'restart, the run\'s bans'),
                       ('restart_preload', 'restart, +%s preloaded'
                        % info['preload'])):
        rs = [r.get(key) for r in res]
        if not any(rs):
            continue
        L.append('| %s: bans | %s | |' % (label, ' | '.join(
            str(x['bans']) if x else 'not run' for x in rs)))
        vals = [x['missing_s'] if x else None for x in rs]
        row('%s: s any missing' % label, vals, [
            '-' if x is None else ('%.2f' % x['missing_s']
                                   + ('' if x['all_back'] else
                                      ' (not all back in %.0f s)'
                                      % x['limit_s']))
            for x in rs])
        L.append('| %s: ms a listing | %s | |' % (label, ' | '.join(
            '-' if x is None else '%.0f' % x['poll_ms'] for x in rs)))
        vals = [x.get('deletions') if x else None for x in rs]
        row('%s: elements, sets, tables deleted' % label, vals,
            ['-' if v is None else str(v) for v in vals])
        vals = [x.get('rule_deletions') if x else None for x in rs]
        L.append('| %s: rules deleted | %s | |' % (label, ' | '.join(
            '-' if v is None else str(v) for v in vals)))
        vals = [(x['back_s'] if x['all_back'] else None) if x else None
                for x in rs]
        row('%s: s until all back' % label, vals,
            ['-' if x is None else ('%.2f' % x['back_s'] if x['all_back']
                                    else '> %.0f' % x['limit_s'])
             for x in rs])
    pre = [r.get('preload_s') for r in res]
    if any(pre):
        L.append('| %s bans made in, s | %s | |' % (info['preload'], ' | '.join(
            '-' if v is None else '%.1f' % v for v in pre)))
    L.append('')
    L.append('Bans: an address is banned when it was added to the tool\'s '
             'set during the replay (`nft monitor`) or is in it at the end. '
             'Latency: from the write(2) of the triggering line to the '
             'element\'s NEWSETELEM event (`nft monitor new elements`); '
             'fail2ban\'s triggering line is the 5th line of the address its '
             'filter matches (`fail2ban-regex` on the recorded log, maxretry '
             '5), fivefifty\'s the last line naming the address written '
             'before the element (it decides at the end of a session). CPU: '
             'utime+stime of the process and its reaped children (fail2ban '
             'runs `nft` per ban) over the replay; peak RSS: VmHWM. Restart: '
             'stop, then start, the set listed (`nft -j list set`) in a loop '
             'from the stop on ("ms a listing": the time of the watch '
             'over the listings made); "s any missing": '
             'from the last listing with all bans to the first with all back; '
             '"until all back": from the stop; "deleted": the `nft monitor` '
             'events deleting or flushing an element, the set or the table '
             'of the tool during the restart (a gap too short for a listing '
             'shows there), and those deleting a rule of its chain (the set '
             'keeps its elements). "-": not measured or none.')
    for r in res:
        if r.get('match_note'):
            L.append('')
            L.append('%s: %s; %d bans timed from the last line before the '
                     'element instead.' % (r['name'], r['match_note'],
                                           r['lat_fallback']))
    text = '\n'.join(L) + '\n'
    with open(out, 'w') as f:
        f.write(text)
    sys.stdout.write(text)


def main():
    """main - the subcommand"""
    if len(sys.argv) < 2:
        die(__doc__)
    cmd, argv = sys.argv[1], sys.argv[2:]
    if cmd == 'gen':
        gen(argv)
    elif cmd == 'tool':
        tool(argv)
    elif cmd == 'table':
        table(argv)
    else:
        die('unknown command ' + cmd)


if __name__ == '__main__':
    main()
