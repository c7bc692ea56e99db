#!/usr/bin/env python3
"""Logic depth per register stage, and an Fmax estimate, from a Yosys synth_xilinx netlist.

    depth.py NETLIST.json TOP [--top N] [--path REGISTER]...

Reads the flattened netlist that hdl/syn/run.sh writes (write_json after synth_xilinx
-family xcup -flatten), walks every combinational path between sequential elements and
reports, for each destination register (grouped by its RTL name), the worst path: LUT
levels, CARRY4 cells, MUXF cells and an estimated delay. The estimate is NOT a
place-and-route result: it applies the per-element delays below, which are typical
UltraScale+ (-2 speed grade) figures with an allowance for routing, to the structure Yosys
produced. docs/hdl.md states the model and how far to trust it.

Sequential elements (path start and end points): FD* flip-flops, SRL16E, block RAM
(RAMB18E2/RAMB36E2) and DSP48E2. Yosys 0.23 does not pack registers into DSP48E2 (its
netlist shows each multiplier as combinational between fabric registers); the RTL puts
private registers right before (A/B) and two right after (M, P) every multiplier, the
pattern Vivado packs into the DSP, so a DSP48E2 is counted as a registered element that
runs at its own fully pipelined Fmax.
"""
import json
import re
import sys
from collections import defaultdict

# Delay model, ns (UltraScale+ -2; estimates, see docs/hdl.md).
T_CLK_Q = 0.10      # flip-flop clock to Q
T_SETUP = 0.05      # flip-flop setup
T_UNCERT = 0.10     # clock skew and jitter allowance
T_LUT = 0.40        # one LUT level including a typical net
T_CARRY_IN = 0.20   # LUT output into a CARRY4 S/DI input, through to its CO/O
T_CARRY = 0.04      # carry propagation through one further CARRY4 (4 bits)
T_MUXF = 0.10       # MUXF7/F8/F9
T_BRAM_CO = 1.20    # RAMB36E2 clock to DOUT without the optional output register
T_BRAM_SU = 0.45    # RAMB36E2 address / data setup
T_LUTRAM = 0.55     # RAM32M16 read (address to data out)
T_DSP = 0.30        # DSP48E2 P register clock to out; its inputs' setup is T_BRAM_SU

SEQ = re.compile(r'^(FD[CPRS]E|SRL16E|SRLC32E|RAMB(18|36)E2|DSP48E2)$')
LUT = re.compile(r'^LUT[1-6]$')
MUXF = re.compile(r'^MUXF[789]$')
LUTRAM = re.compile(r'^RAM(32|64)M(16)?$|^RAM(32|64|128|256)X1[SD]$')
IGNORE = re.compile(r'^(BUFG|IBUF|OBUF|VCC|GND)$')


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    path, top = sys.argv[1], sys.argv[2]
    show, paths = 40, []
    args = sys.argv[3:]
    while args:
        if args[0] == '--top' and len(args) > 1:
            show = int(args[1])
            args = args[2:]
        elif args[0] == '--path' and len(args) > 1:
            paths.append(args[1])
            args = args[2:]
        else:
            print(__doc__, file=sys.stderr)
            sys.exit(2)
    mod = json.load(open(path))['modules'][top]
    cells = mod['cells']

    # Net names: the public (RTL) name of every bit.
    bit_name = {}
    for name, net in mod['netnames'].items():
        public = not net.get('hide_name', 0)
        for i, b in enumerate(net['bits']):
            if isinstance(b, int) and (public or b not in bit_name):
                width = len(net['bits'])
                bit_name[b] = name if width == 1 else '%s[%d]' % (name, i)

    drivers = {}        # bit -> cell name
    sinks = defaultdict(list)   # bit -> [(cell, port)]
    for cname, c in cells.items():
        for port, bits in c['connections'].items():
            d = c['port_directions'].get(port, 'input')
            for b in bits:
                if not isinstance(b, int):
                    continue
                if d == 'output':
                    drivers[b] = cname
                else:
                    sinks[b].append((cname, port))

    def kind(t):
        if SEQ.match(t):
            return 'seq'
        if LUT.match(t):
            return 'lut'
        if t.startswith('CARRY'):
            return 'carry'
        if MUXF.match(t):
            return 'muxf'
        if LUTRAM.match(t):
            return 'lutram'
        if t == 'INV':
            return 'inv'
        if IGNORE.match(t):
            return 'ignore'
        return 'other'

    # Arrival at each bit: (delay, luts, carries, muxfs). Sequential outputs start paths.
    memo = {}
    via = {}    # bit -> the input bit the worst arrival came through (for --path)
    sys.setrecursionlimit(100000)

    def start_of(cname):
        t = cells[cname]['type']
        if t.startswith('RAMB'):
            return T_BRAM_CO
        if t == 'DSP48E2':
            return T_DSP
        return T_CLK_Q

    def arrival(b):
        if b in memo:
            return memo[b]
        memo[b] = (0.0, 0, 0, 0)  # cycle guard (a combinational loop would be a bug)
        cname = drivers.get(b)
        if cname is None:
            res = (0.0, 0, 0, 0)   # top-level input or constant
        else:
            c = cells[cname]
            k = kind(c['type'])
            if k == 'seq':
                res = (start_of(cname), 0, 0, 0)
            elif k == 'ignore':
                res = (0.0, 0, 0, 0)
            else:
                best = (0.0, 0, 0, 0)
                best_in = None
                for port, bits in c['connections'].items():
                    if c['port_directions'].get(port) != 'input':
                        continue
                    if k == 'lutram' and not port.startswith('ADDR'):
                        continue   # data and write enable reach the outputs through a write
                    for ib in bits:
                        if not isinstance(ib, int):
                            continue
                        a = arrival(ib)
                        if k == 'lut':
                            cand = (a[0] + T_LUT, a[1] + 1, a[2], a[3])
                        elif k == 'carry':
                            if port == 'CI':
                                cand = (a[0] + T_CARRY, a[1], a[2] + 1, a[3])
                            else:
                                cand = (a[0] + T_CARRY_IN, a[1], a[2] + 1, a[3])
                        elif k == 'muxf':
                            cand = (a[0] + T_MUXF, a[1], a[2], a[3] + 1)
                        elif k == 'lutram':
                            cand = (a[0] + T_LUTRAM, a[1] + 1, a[2], a[3])
                        elif k == 'inv':
                            cand = a   # absorbed into the neighbouring LUT by placement
                        else:
                            cand = (a[0] + T_LUT, a[1] + 1, a[2], a[3])
                        if cand[0] > best[0]:
                            best = cand
                            best_in = ib
                res = best
                via[b] = best_in
        memo[b] = res
        return res

    # Endpoints: every input bit of a sequential element (and of a LUTRAM's write side).
    groups = {}
    ends = {}
    for cname, c in cells.items():
        k = kind(c['type'])
        if k not in ('seq', 'lutram'):
            continue
        t = c['type']
        for port, bits in c['connections'].items():
            if c['port_directions'].get(port) != 'input':
                continue
            if port in ('C', 'CLK', 'CLKARDCLK', 'CLKBWRCLK', 'WCLK'):
                continue
            if k == 'lutram' and port.startswith('ADDR'):
                continue
            for ib in bits:
                if not isinstance(ib, int):
                    continue
                a = arrival(ib)
                su = T_BRAM_SU if (t.startswith('RAMB') or t == 'DSP48E2' or k == 'lutram') \
                    else T_SETUP
                total = a[0] + su + T_UNCERT
                if t.startswith('FD') or t.startswith('SRL'):
                    q = c['connections'].get('Q', [None])[0]
                    name = bit_name.get(q, cname)
                else:
                    name = '%s (%s.%s)' % (cname, t, port)
                group = re.sub(r'\[\d+\]$', '', name)
                group = re.sub(r'\$[^ ]*', '', group)
                if group not in groups or total > groups[group][0]:
                    groups[group] = (total, a[1], a[2], a[3])
                    ends[group] = ib

    rows = sorted(groups.items(), key=lambda kv: -kv[1][0])
    worst = rows[0][1][0] if rows else 0.0
    print('%-70s %5s %6s %5s %8s' % ('register (destination of the path)', 'LUTs', 'CARRY4',
                                     'MUXF', 'est. ns'))
    for name, (total, luts, carries, muxfs) in rows[:show]:
        print('%-70s %5d %6d %5d %8.2f' % (name[:70], luts, carries, muxfs, total))
    for want in paths:
        b = ends.get(want)
        if b is None:
            print('no register %s' % want)
            continue
        print('\npath into %s (from its end back to its start):' % want)
        while b is not None:
            cname = drivers.get(b)
            t = cells[cname]['type'] if cname else 'input'
            print('  %-8s %-60s %.2f' % (t, bit_name.get(b, '?')[:60], memo.get(b, (0,))[0]))
            b = via.get(b)
    print('\nworst path %.2f ns -> estimated Fmax %.0f MHz (model of hdl/syn/depth.py; '
          'not a place-and-route result)' % (worst, 1000.0 / worst if worst else 0.0))


if __name__ == '__main__':
    main()
