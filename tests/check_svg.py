#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Parse the tracer's SVG ladder diagram with a real XML parser.

Usage: check_svg.py TEST_TRACE_BINARY
Runs `TEST_TRACE_BINARY --svg FILE` (the nested scenario of test_trace.c)
and checks the result is well-formed SVG with one arrow per call and reply.
"""
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"


def main():
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "scenario.svg")
        subprocess.run([sys.argv[1], "--svg", path], check=True)
        root = ET.parse(path).getroot()
    if root.tag != NS + "svg":
        sys.exit("root element is %r, not svg" % root.tag)
    arrows = [e for e in root.iter(NS + "line") if e.get("marker-end")]
    # 7 calls (3 host, 3 proxy, 1 SP callback), each drawn as call + reply.
    if len(arrows) != 14:
        sys.exit("expected 14 arrows, found %d" % len(arrows))
    # a long label wraps onto two <tspan> lines
    labels = [" ".join(t.itertext()) for t in root.iter(NS + "text")]
    if not any("FFA_MSG_SEND_DIRECT_REQ2" in t for t in labels):
        sys.exit("no DIRECT_REQ2 label")
    # every arrow carries the whole decoded call as a tooltip
    titled = [g for g in root.iter(NS + "g") if g.find(NS + "title") is not None
              and g.find(NS + "line") is not None]
    if len(titled) != 14:
        sys.exit("expected 14 titled arrows, found %d" % len(titled))
    print("ok: %d arrows" % len(arrows))


if __name__ == "__main__":
    main()
