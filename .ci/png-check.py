"""Fails unless a PNG screenshot shows a page: at least 2% non-white pixels spread over at least 40 rows.

Standard library only (zlib): decodes 8-bit RGB/RGBA PNGs as Chromium writes them."""
import struct
import sys
import zlib


def rows(path):
    try:
        data = open(path, "rb").read()
    except OSError as error:
        sys.exit(f"{path}: no screenshot ({error.strerror})")
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and color in (2, 6), f"unsupported PNG (depth {depth}, colour type {color})"
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    previous = bytearray(stride)
    out = []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        out.append((line, width, channels))
        previous = line
    return out


decoded = rows(sys.argv[1])
inked = total = inked_rows = 0
for line, width, channels in decoded:
    row_ink = sum(1 for x in range(width) if min(line[x * channels:x * channels + 3]) < 200)
    inked += row_ink
    total += width
    inked_rows += row_ink > 0
share = inked / total
print(f"{sys.argv[1]}: {share:.1%} non-white pixels over {inked_rows} of {len(decoded)} rows")
if share < 0.02 or inked_rows < 40:
    sys.exit("the screenshot is blank")
