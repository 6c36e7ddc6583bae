#!/usr/bin/env python3
"""png_rows.py FILE — how many whole rows of a (possibly cut) 8-bit,
non-interlaced PNG python's zlib can inflate from its IDAT chunks: the
rows a decoder can deliver before the file ends. Prints the number."""
import struct
import sys
import zlib

CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # colour type -> samples per pixel


def main(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, width, row_bytes, inflate, out = 8, 0, 0, zlib.decompressobj(), b""
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]  # the cut one is short
        if kind == b"IHDR":
            width, _, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and interlace == 0, "8-bit, non-interlaced only"
            row_bytes = 1 + width * CHANNELS[colour]  # filter byte + samples
        elif kind == b"IDAT":
            out += inflate.decompress(body)
        pos += 12 + length
    print(len(out) // row_bytes)


main(sys.argv[1])
