#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# pcapfilter.py: the manual page of this build: bridge mode's parts kept with packet capture, their NAT-only text without.
"""Usage: pcapfilter.py IN OUT pcap|nopcap

IN marks what depends on packet capture with troff comments:
    .\\" if pcap
    text of a build with packet capture (bridge mode)
    .\\" else
    .\\"| text of a build without it (commented out in IN)
    .\\" endif
The else part is optional.  OUT keeps one side and drops the markers, so the
checked-in page reads as a build with capture and OUT is what this build
installs; test daemon-opts-docs checks OUT against the build's settings.
"""
import sys

IF, ELSE, END, ALT = '.\\" if pcap', '.\\" else', '.\\" endif', '.\\"| '


def select(lines, pcap):
    state, out = None, []
    for n, line in enumerate(lines, 1):
        if line in (IF, ELSE, END):
            want = {IF: (None,), ELSE: ('if',), END: ('if', 'else')}[line]
            if state not in want:
                sys.exit(f'pcapfilter: line {n}: {line} out of place')
            state = {IF: 'if', ELSE: 'else', END: None}[line]
        elif state == 'else':
            if not line.startswith(ALT):
                sys.exit(f'pcapfilter: line {n}: an else line must start with {ALT!r}')
            if not pcap:
                out.append(line[len(ALT):])
        elif state is None or pcap:
            out.append(line)
    if state is not None:
        sys.exit('pcapfilter: a block is not closed by ' + END)
    return out


def main():
    if len(sys.argv) != 4 or sys.argv[3] not in ('pcap', 'nopcap'):
        sys.exit(__doc__)
    with open(sys.argv[1], encoding='utf-8') as f:
        lines = f.read().split('\n')
    with open(sys.argv[2], 'w', encoding='utf-8') as f:
        f.write('\n'.join(select(lines, sys.argv[3] == 'pcap')))


main()
