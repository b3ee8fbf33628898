#!/usr/bin/env python3
"""Embeds a text file as a C string: embed.py INPUT OUTPUT SYMBOL."""
import sys

src, dst, name = sys.argv[1:4]
with open(src, encoding="utf-8") as f:
    text = f.read()
lines = ['/* generated from %s by scripts/embed.py: do not edit */' % src.split('/')[-1]]
if len(text.encode("utf-8")) < 4000:
    lines.append('const char %s[] =' % name)
    for line in text.splitlines(True):
        esc = line.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')
        lines.append('    "%s"' % esc)
    lines.append('    "";')
else:  # C99 promises string literals of 4095 bytes only: a longer text is an array
    data = list(text.encode("utf-8")) + [0]
    lines.append('const char %s[] = {' % name)
    for i in range(0, len(data), 16):
        lines.append('    ' + ' '.join('%d,' % b for b in data[i:i + 16]))
    lines.append('};')
with open(dst, "w", encoding="utf-8") as f:
    f.write("\n".join(lines) + "\n")
