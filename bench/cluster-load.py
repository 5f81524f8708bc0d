#!/usr/bin/env python3
# cluster-load.py - the traffic and the watch of bench/cluster-load.sh:
# three nodes' logs written at RATE lines/s each, their daemons, their
# sets and the PostgreSQL server's processes measured meanwhile.
#
# usage: cluster-load.py SECS RATE PROBE_MS OFF_MS DICT_MS FIVEFIFTY
#            POSTMASTER_PID DIR -- CORPUS...
#
# DIR holds n1, n2, n3 (each ff.conf, mail.log, ctl.sock, daemon.pid, and
# the table inet fivefifty_nN named in ff.conf), all in this network
# namespace. Writes DIR/truth.txt (the injected offenders) and prints
# key=value lines for cluster-load.sh.
#
# The logs: the corpus files' real lines in order (the same lines
# bench/latency.c uses), each node starting a third of the way further
# in, so the corpus's clients (and its own offenders) come to every node
# at different times; their time stamps replaced by the time of the
# write (RFC 3339, UTC). Each node's lines go in every 10 ms tick, one
# write(2) per node and tick (as a syslog daemon's buffered writes).
# Among them, the offenders only the cluster can ban (the defaults
# fivefifty_retries = 3, dictionary_threshold = 8):
# (each offender's sessions all within the SECS):
#   five-fifty  every OFF_MS a new address of 198.18.0.0/16: the same
#               554-refused mail in 4 sessions 1 s apart, each on the
#               next node (no node sees more than 2)
#   dictionary  every DICT_MS a new address of 198.19.0.0/16: 3 sessions
#               1 s apart, one per node, 4 unknown recipients each (4 a
#               node, 12 in the cluster)
# Every PROBE_MS a `ban 10.77.x.y 3600` goes to n1's control socket; the
# time from just before it is sent to the element's arrival in n2's and
# n3's sets (an `nft monitor` of this namespace) is the propagation
# under load (bench/cluster.sh's part 1, done while the logs run).
# Once a second: each node's `fivefifty status` (lines, offset, size,
# lag) and VmRSS. CPU (utime + stime from /proc/PID/stat; the server's:
# its postmaster's own and reaped children's, plus each live child's)
# is taken at the start and at the end of the SECS of traffic.
import heapq
import ipaddress
import json
import os
import socket
import subprocess
import sys
import threading
import time

NODES = ("n1", "n2", "n3")
TICK = 0.010
HZ = os.sysconf("SC_CLK_TCK")


def die(msg):
    sys.exit("bench/cluster-load.py: %s" % msg)


def strip_stamp(s):
    """strip_stamp - the text after a log line's time stamp (RFC 3339, or
    syslog "... hh:mm:ss "), with its leading space; None if neither"""
    if len(s) > 20 and s[4] == "-" and s[7] == "-" and s[10] == "T":
        i = s.find(" ")
        return s[i:] if i >= 0 else None
    for i in range(min(len(s) - 8, 24)):
        p = s[i:i + 9]
        if (p[0:2].isdigit() and p[2] == ":" and p[3:5].isdigit() and
                p[5] == ":" and p[6:8].isdigit() and p[8] == " "):
            return s[i + 8:]
    return None


def load(files):
    """load - the corpus lines without their time stamps"""
    out = []
    for f in files:
        with open(f, "rb") as fp:
            for raw in fp:
                if not raw.endswith(b"\n"):
                    continue
                line = raw[:-1].decode("utf-8", "surrogateescape")
                rest = strip_stamp(line)
                if rest is not None:
                    out.append(rest)
    if not out:
        die("no lines in the corpus")
    return out


def stamp():
    """stamp - the time now, RFC 3339 with microseconds, UTC"""
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + \
        ".%06d+00:00" % int((t % 1) * 1e6)


def proc_cpu(pid):
    """proc_cpu - (own, reaped children's) CPU seconds of pid, and ppid"""
    with open("/proc/%d/stat" % pid) as f:
        s = f.read()
    v = s[s.rindex(")") + 2:].split()
    return ((int(v[11]) + int(v[12])) / HZ,
            (int(v[13]) + int(v[14])) / HZ, int(v[1]))


def pg_cpu(master):
    """pg_cpu - CPU seconds of the server: the postmaster, its reaped
    children, its live children; and how many processes"""
    own, reaped, _ = proc_cpu(master)
    total, n = own + reaped, 1
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == master:
            continue
        try:
            c, _, ppid = proc_cpu(int(d))
        except (OSError, ValueError):
            continue
        if ppid == master:
            total += c
            n += 1
    return total, n


def status_kb(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def status(ff, conf):
    """status - a node's status as a dict of first word to the rest"""
    r = subprocess.run([ff, "-c", conf, "status"], capture_output=True,
                       text=True, timeout=10)
    d = {}
    for line in r.stdout.splitlines():
        w = line.split()
        if len(w) >= 2:
            d.setdefault(w[0], w[1:])
    return d


def lag_of(d):
    """lag_of - the bytes of the log not yet read, from a status dict"""
    f = d.get("file", [])
    return int(f[f.index("lag") + 1]) if "lag" in f else -1


def set_nets(table):
    """set_nets - the networks in a table's offenders4 set"""
    r = subprocess.run(["nft", "-j", "list", "set", "inet", table,
                        "offenders4"], capture_output=True, text=True)
    if r.returncode != 0:
        die("nft list set inet %s offenders4: %s" % (table, r.stderr))
    nets = []
    for o in json.loads(r.stdout)["nftables"]:
        if "set" not in o:
            continue
        for e in o["set"].get("elem", []):
            if isinstance(e, dict) and "elem" in e:
                e = e["elem"]["val"]
            if isinstance(e, str):
                nets.append(ipaddress.ip_network(e))
            elif "prefix" in e:
                nets.append(ipaddress.ip_network("%s/%d" % (
                    e["prefix"]["addr"], e["prefix"]["len"])))
            elif "range" in e:
                a, b = (ipaddress.ip_address(x) for x in e["range"])
                nets.extend(ipaddress.summarize_address_range(a, b))
    return nets


def covered(nets, addr):
    a = ipaddress.ip_address(addr)
    return any(a in n for n in nets)


def main():
    a = sys.argv[1:]
    if len(a) < 10 or a[8] != "--":
        die("usage: SECS RATE PROBE_MS OFF_MS DICT_MS FIVEFIFTY "
            "POSTMASTER_PID DIR -- CORPUS...")
    secs, rate = int(a[0]), int(a[1])
    probe_ms, off_ms, dict_ms = int(a[2]), int(a[3]), int(a[4])
    ff, master, top = a[5], int(a[6]), a[7]
    corpus = load(a[9:])
    conf = {n: "%s/%s/ff.conf" % (top, n) for n in NODES}
    pid = {}
    for n in NODES:
        with open("%s/%s/daemon.pid" % (top, n)) as f:
            pid[n] = int(f.read())
    logs = {n: os.open("%s/%s/mail.log" % (top, n),
                       os.O_WRONLY | os.O_APPEND) for n in NODES}
    nextline = {n: i * len(corpus) // 3 for i, n in enumerate(NODES)}
    written = {n: 0 for n in NODES}     # corpus lines
    extra = {n: 0 for n in NODES}       # injected lines
    sessno = [10000]
    stop = threading.Event()
    out = {}

    # The injected offenders: (when, seq, node, text-maker) in a heap.
    events = []
    seq = [0]
    truth = []

    def push(t, node, kind, addr, k):
        seq[0] += 1
        heapq.heappush(events, (t, seq[0], node, kind, addr, k))

    def session(kind, addr, k, node, ts):
        sessno[0] += 1
        p = sessno[0] % 900000 + 10000
        h = node
        if kind == "f":
            return (
                "%s %s postfix/smtpd[%d]: connect from mail.spam.example[%s]\n"
                "%s %s postfix/smtpd[%d]: NOQUEUE: reject: RCPT from "
                "mail.spam.example[%s]: 554 5.7.1 <x@spammer.example>: Sender "
                "address rejected: Access denied; from=<x@spammer.example> "
                "to=<alice@example.test> proto=ESMTP helo=<mail.spam.example>\n"
                "%s %s postfix/smtpd[%d]: disconnect from mail.spam.example[%s]"
                " ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4\n" % (
                    ts, h, p, addr, ts, h, p, addr, ts, h, p, addr))
        s = "%s %s postfix/smtpd[%d]: connect from unknown[%s]\n" % (
            ts, h, p, addr)
        for r in range(4):
            u = "u%d-%d@example.test" % (k, r)
            s += ("%s %s postfix/smtpd[%d]: NOQUEUE: reject: RCPT from "
                  "unknown[%s]: 550 5.1.1 <%s>: Recipient address rejected: "
                  "User unknown in local recipient table; "
                  "from=<a@dict.example> to=<%s> proto=ESMTP "
                  "helo=<dict.example>\n" % (ts, h, p, addr, u, u))
        s += ("%s %s postfix/smtpd[%d]: disconnect from unknown[%s] ehlo=1 "
              "mail=1 rcpt=0/4 quit=1 commands=3/7\n" % (ts, h, p, addr))
        return s

    # Probes: bans on n1, watched in n2's and n3's sets.
    seen = {n: {} for n in NODES}
    last_write = {}     # an offender's last session: when written
    mon = subprocess.Popen(["nft", "monitor", "new", "elements"],
                           stdout=subprocess.PIPE, text=True, bufsize=1)

    def watch():
        for line in mon.stdout:
            t = time.monotonic()
            for n in NODES:
                if "fivefifty_%s " % n in line:
                    for w in line.replace("{", " ").replace(
                            "}", " ").replace(",", " ").split():
                        if w.startswith(("10.77.", "198.18.", "198.19.")) \
                                and w not in seen[n]:
                            seen[n][w] = t
    threading.Thread(target=watch, daemon=True).start()
    sent = {}

    def probes():
        i = 0
        while not stop.is_set():
            addr = "10.77.%d.%d" % (i // 125, 2 * (i % 125) + 1)
            i += 1
            t0 = time.monotonic()
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect("%s/n1/ctl.sock" % top)
                s.sendall(("ban %s 3600 bench\n" % addr).encode())
                reply = b""
                while not reply.endswith(b"ok\n") and b"error" not in reply:
                    d = s.recv(4096)
                    if not d:
                        break
                    reply += d
                s.close()
            except OSError as e:
                die("ban on n1: %s" % e)
            sent[addr] = t0
            stop.wait(probe_ms / 1000)

    # Status once a second.
    samples = {n: [] for n in NODES}
    rss = {n: 0 for n in NODES}

    def poll():
        while not stop.is_set():
            t = time.monotonic()
            for n in NODES:
                d = status(ff, conf[n])
                lag = lag_of(d)
                samples[n].append((t, int(d.get("lines", ["0"])[0]), lag))
                try:
                    rss[n] = max(rss[n], status_kb(pid[n], "VmRSS"))
                except OSError:
                    die("%s exited" % n)
            stop.wait(max(0, 1 - (time.monotonic() - t)))

    time.sleep(0.5)      # the monitor subscribed
    cpu0 = {n: proc_cpu(pid[n])[0] for n in NODES}
    pg0, _ = pg_cpu(master)
    me0 = os.times()
    t0 = time.monotonic()
    # Each offender's last session within the secs.
    for i in range(max(0, secs - 4) * 1000 // off_ms):
        addr = "198.18.%d.%d" % (i // 127, 2 * (i % 127) + 1)
        truth.append(("fivefifty", addr))
        for k in range(4):
            push(t0 + i * off_ms / 1000 + k, NODES[(i + k) % 3], "f", addr, i)
    for i in range(max(0, secs - 3) * 1000 // dict_ms):
        addr = "198.19.%d.%d" % (i // 127, 2 * (i % 127) + 1)
        truth.append(("dictionary", addr))
        for k in range(3):
            push(t0 + i * dict_ms / 1000 + k, NODES[(i + k) % 3], "d",
                 addr, i * 3 + k)
    threads = [threading.Thread(target=probes, daemon=True),
               threading.Thread(target=poll, daemon=True)]
    for th in threads:
        th.start()
    end = t0 + secs
    tick = t0
    injected = 0
    while True:
        now = time.monotonic()
        if now >= end:
            break
        ts = stamp()
        due = int((now - t0) * rate)
        buf = {n: [] for n in NODES}
        for n in NODES:
            while written[n] < due:
                buf[n].append(ts + corpus[nextline[n]] + "\n")
                nextline[n] = (nextline[n] + 1) % len(corpus)
                written[n] += 1
        while events and events[0][0] <= now:
            _, _, n, kind, addr, k = heapq.heappop(events)
            buf[n].append(session(kind, addr, k, n, ts))
            last_write[addr] = now
            extra[n] += buf[n][-1].count("\n")
            injected += 1
        for n in NODES:
            if buf[n]:
                os.write(logs[n], "".join(buf[n]).encode(
                    "utf-8", "surrogateescape"))
        tick += TICK
        delay = tick - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    t1 = time.monotonic()
    cpu1 = {n: proc_cpu(pid[n])[0] for n in NODES}
    pg1, pgn = pg_cpu(master)
    me1 = os.times()
    stop.set()
    for th in threads:
        th.join()
    for n in NODES:     # the lag the moment the traffic stopped
        d = status(ff, conf[n])
        samples[n].append((time.monotonic(), int(d["lines"][0]), lag_of(d)))
    span = t1 - t0
    out["secs"] = "%.1f" % span
    out["gen_cpu_pct"] = "%.1f" % (100 * (me1.user + me1.system -
                                          me0.user - me0.system) / span)
    out["pg_cpu_pct"] = "%.1f" % (100 * (pg1 - pg0) / span)
    out["pg_procs"] = pgn
    out["injected_sessions"] = injected
    for n in NODES:
        out[n + "_written"] = written[n] + extra[n]
        out[n + "_injected"] = extra[n]
        out[n + "_cpu_pct"] = "%.1f" % (100 * (cpu1[n] - cpu0[n]) / span)
        s = samples[n]
        out[n + "_lag_end"] = s[-1][2] if s else -1
        out[n + "_lag_max"] = max(x[2] for x in s) if s else -1
        out[n + "_lines_end"] = s[-1][1] if s else 0

    # Drain: until every node has read its whole log.
    td = time.monotonic()
    while True:
        lags = {n: lag_of(status(ff, conf[n])) for n in NODES}
        if all(v == 0 for v in lags.values()):
            break
        if time.monotonic() - td > 300:
            die("the nodes did not catch up in 300 s: %s" % lags)
        time.sleep(0.2)
    out["drain_secs"] = "%.1f" % (time.monotonic() - td)
    # Then until the sets agree with the truth (or 30 s).
    tc = time.monotonic()
    while True:
        nets = {n: set_nets("fivefifty_" + n) for n in NODES}
        miss = {n: [x for x in truth + [("probe", p) for p in sent]
                    if not covered(nets[n], x[1])] for n in NODES}
        same = all(set(nets[n]) == set(nets["n1"]) for n in NODES)
        if (same and all(not m for m in miss.values())) or \
                time.monotonic() - tc > 30:
            break
        time.sleep(0.5)
    out["converge_secs"] = "%.1f" % (time.monotonic() - tc)
    mon.kill()
    for n in NODES:
        d = status(ff, conf[n])
        out[n + "_lines"] = d["lines"][0]
        out[n + "_bans_decided"] = d["bans_decided"][0]
        out[n + "_bans_in_force"] = d["bans_in_force"][0]
        out[n + "_remote_bans"] = d.get("remote_bans", ["-"])[0]
        out[n + "_kernel_ranges"] = d["kernel_ranges"][0]
        out[n + "_state_errors"] = d.get("state_errors", ["-"])[0]
        out[n + "_rss_kb"] = status_kb(pid[n], "VmRSS")
        out[n + "_rss_peak_kb"] = max(rss[n], out[n + "_rss_kb"])
        out[n + "_hwm_kb"] = status_kb(pid[n], "VmHWM")
        out[n + "_missing"] = len(miss[n])
        out[n + "_missing_sample"] = ",".join(x[1] for x in miss[n][:5]) \
            or "-"
        out[n + "_nets"] = len(nets[n])
    out["sets_equal"] = "yes" if same else "no"
    out["truth_fivefifty"] = sum(1 for x in truth if x[0] == "fivefifty")
    out["truth_dictionary"] = sum(1 for x in truth if x[0] == "dictionary")
    with open(top + "/truth.txt", "w") as f:
        for k, v in truth:
            f.write("%s %s\n" % (k, v))
    diff = set()
    for n in NODES:
        diff |= set(nets[n]) ^ set(nets["n1"])
    out["sets_diff"] = ",".join(str(x) for x in sorted(diff)[:5]) or "-"
    # Decided bans: from an offender's last session written to its ban in
    # the first node's set (the cluster decided) and in the last's (every
    # node has it).
    first, last, unseen = [], [], 0
    for _, addr in truth:
        ts_ = [seen[n].get(addr) for n in NODES]
        if addr not in last_write or None in ts_:
            unseen += 1
            continue
        first.append((min(ts_) - last_write[addr]) * 1000)
        last.append((max(ts_) - last_write[addr]) * 1000)
    out["decided_unseen"] = unseen
    for name, v in (("first", sorted(first)), ("all", sorted(last))):
        out["dec_%s_n" % name] = len(v)
        for q in (50, 90, 99):
            out["dec_%s_p%d_ms" % (name, q)] = "%.1f" % v[min(
                len(v) - 1, len(v) * q // 100)] if v else "-"
        out["dec_%s_max_ms" % name] = "%.1f" % v[-1] if v else "-"
    for n in ("n2", "n3"):
        lat = sorted((seen[n][p] - t) * 1000 for p, t in sent.items()
                     if p in seen[n])
        out[n + "_probes"] = len(sent)
        out[n + "_probes_seen"] = len(lat)
        for q in (50, 90, 99):
            out["%s_p%d_ms" % (n, q)] = "%.1f" % lat[min(
                len(lat) - 1, len(lat) * q // 100)] if lat else "-"
        out[n + "_max_ms"] = "%.1f" % lat[-1] if lat else "-"
    for k, v in out.items():
        print("%s=%s" % (k, v))


main()
